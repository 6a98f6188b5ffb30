#pragma once

#include <string>

#include "core/worker_pool.hpp"
#include "metrics/registry.hpp"
#include "store/database.hpp"

namespace gatehouse::app {

/// Build info, process, database pool and worker pool gauges.
void AddProcessMetrics(metrics::Registry& registry, store::Database& database, core::WorkerPool& workers,
                       const std::string& backend);

}  // namespace gatehouse::app
