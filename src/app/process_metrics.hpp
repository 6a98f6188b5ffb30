#pragma once

#include <string>
#include <vector>

#include "core/worker_pool.hpp"
#include "metrics/registry.hpp"
#include "store/database.hpp"

namespace gatehouse::app {

/// Build info, process, database pool and worker pool gauges.
void AddProcessMetrics(metrics::Registry& registry, store::Database& database,
                       std::vector<core::WorkerPool*> worker_pools, const std::string& backend);

}  // namespace gatehouse::app
