#pragma once

#include <string>
#include <vector>

#include "audit/audit_log.hpp"
#include "core/worker_pool.hpp"
#include "metrics/registry.hpp"
#include "store/database.hpp"

namespace gatehouse::app {

/// Build info, process, database pool and worker pool gauges; audit queue and dropped audit events and log lines.
void AddProcessMetrics(metrics::Registry& registry, store::Database& database,
                       std::vector<core::WorkerPool*> worker_pools, const std::string& backend,
                       const audit::AuditLog& audit);

}  // namespace gatehouse::app
