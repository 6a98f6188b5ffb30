#pragma once

#include "alerts/alert_service.hpp"
#include "api/refusal_summary.hpp"
#include "apps/app_service.hpp"
#include "audit/audit_log.hpp"
#include "auth/auth_sync.hpp"
#include "auth/identity_service.hpp"
#include "collectors/collector_service.hpp"
#include "config/config.hpp"
#include "core/scheduler.hpp"
#include "core/worker_pool.hpp"
#include "fleet/fleet_service.hpp"
#include "gateway/gateway_service.hpp"
#include "metricstore/metric_service.hpp"
#include "pgmon/connection_pools.hpp"
#include "proxy/usage.hpp"
#include "sampler/pg_sampler.hpp"
#include "ssh/ssh_client.hpp"
#include "tasks/task_service.hpp"

namespace gatehouse::app {

/// What the background jobs work on; built by Serve and outliving the scheduler.
struct JobTargets {
    const config::Config& config;
    audit::AuditLog& audit;
    auth::IdentityService& identity;
    auth::AuthSync& auth_sync;
    api::RefusalSummary& refusals;
    fleet::FleetService& fleet;
    tasks::TaskService& tasks;
    std::chrono::milliseconds task_heartbeat;
    apps::AppService& apps;
    ssh::SshClient& ssh;
    core::WorkerPool& ssh_pool;  // where idle SSH sessions are closed
    pgmon::ConnectionPools& pg_pools;
    core::WorkerPool& pg_workers;  // where idle monitoring connections are closed
    gateway::GatewayService& gateway;
    proxy::UsageBook& gateway_usage;
    collectors::CollectorService& collectors;
    metricstore::MetricService& metric_store;
    sampler::PgSampler& pg_sampler;
    alerts::AlertService& alerts;
};

/// Every periodic job of a running server: retention, expired tokens, the auth view's sync, API token use,
/// refusal summaries, status probes, task heartbeats, auto-stop, idle SSH sessions.
void AddJobs(core::Scheduler& scheduler, JobTargets targets);

}  // namespace gatehouse::app
