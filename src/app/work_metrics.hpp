#pragma once

#include "apps/app_service.hpp"
#include "fleet/fleet_service.hpp"
#include "metrics/registry.hpp"
#include "pgmon/monitor_service.hpp"
#include "ssh/ssh_client.hpp"
#include "tasks/task_service.hpp"

namespace gatehouse::app {

/// The work behind the API on /metrics: tasks and apps by state (counted in the database, so every instance
/// shows the fleet's), and this process's targets, task output, status probes and SSH connections.
/// The services must outlive the registry's use.
void AddWorkMetrics(metrics::Registry& registry, tasks::TaskService& tasks, apps::AppService& apps,
                    const fleet::FleetService& fleet, const ssh::SshClient& ssh);

/// The PostgreSQL monitoring pools (GET /api/v1/pools) on /metrics.
void AddPoolMetrics(metrics::Registry& registry, const pgmon::MonitorService& monitor);

}  // namespace gatehouse::app
