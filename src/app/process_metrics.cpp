#include "app/process_metrics.hpp"

#include <fmt/format.h>

#include <vector>

#include "core/build_info.hpp"
#include "core/log.hpp"

namespace gatehouse::app {

void AddProcessMetrics(metrics::Registry& registry, store::Database& database,
                       std::vector<core::WorkerPool*> worker_pools, const std::string& backend,
                       const audit::AuditLog& audit) {
    registry.Add([&audit](metrics::Writer& w) {
        w.Family("gatehouse_audit_events_queued", "gauge", "Audit events waiting to be written.");
        w.Sample("gatehouse_audit_events_queued", "", static_cast<double>(audit.queued()));
        w.Family("gatehouse_audit_events_dropped_total", "counter",
                 "Audit events dropped because the queue was full (the database could not keep up).");
        w.Sample("gatehouse_audit_events_dropped_total", "", static_cast<double>(audit.dropped()));
        w.Family("gatehouse_log_lines_dropped_total", "counter",
                 "Log lines dropped because stderr could not take them fast enough.");
        w.Sample("gatehouse_log_lines_dropped_total", "", static_cast<double>(core::DroppedLogLines()));
    });
    registry.Add([backend](metrics::Writer& w) {
        w.Family("gatehouse_build_info", "gauge", "Build of the running binary.");
        w.Sample(
            "gatehouse_build_info",
            fmt::format("version=\"{}\",build_type=\"{}\",database=\"{}\"", core::kVersion, core::kBuildType, backend),
            1);
        metrics::WriteProcessMetrics(w);
    });
    registry.Add([&database, worker_pools](metrics::Writer& w) {
        const auto stats = database.Stats();
        w.Family("gatehouse_db_pool_size", "gauge", "Database connections the pool may hold.");
        w.Sample("gatehouse_db_pool_size", "", static_cast<double>(stats.size));
        w.Family("gatehouse_db_pool_in_use", "gauge", "Database connections in use.");
        w.Sample("gatehouse_db_pool_in_use", "", static_cast<double>(stats.in_use));
        w.Family("gatehouse_db_pool_waiting", "gauge", "Callers waiting for a database connection.");
        w.Sample("gatehouse_db_pool_waiting", "", static_cast<double>(stats.waiting));
        w.Family("gatehouse_db_pool_wait_seconds_total", "counter", "Time spent waiting for a database connection.");
        w.Sample("gatehouse_db_pool_wait_seconds_total", "", stats.wait_seconds_total);
        // PostgreSQL reads and writes share one pool: list each pool once.
        std::vector<core::WorkerPool*> pools{&database.read_pool()};
        if (&database.write_pool() != &database.read_pool()) pools.push_back(&database.write_pool());
        pools.insert(pools.end(), worker_pools.begin(), worker_pools.end());
        w.Family("gatehouse_worker_pool_busy", "gauge", "Worker threads running a job.");
        for (auto* pool : pools)
            w.Sample("gatehouse_worker_pool_busy", fmt::format("pool=\"{}\"", metrics::LabelValue(pool->name())),
                     static_cast<double>(pool->busy()));
        w.Family("gatehouse_worker_pool_jobs_total", "counter",
                 "Jobs run to their end (database pools: statements' "
                 "transactions and reads).");
        for (auto* pool : pools)
            w.Sample("gatehouse_worker_pool_jobs_total", fmt::format("pool=\"{}\"", metrics::LabelValue(pool->name())),
                     static_cast<double>(pool->completed()));
        w.Family("gatehouse_worker_pool_queued", "gauge", "Jobs waiting for a worker thread.");
        for (auto* pool : pools)
            w.Sample("gatehouse_worker_pool_queued", fmt::format("pool=\"{}\"", metrics::LabelValue(pool->name())),
                     static_cast<double>(pool->queued()));
    });
}

}  // namespace gatehouse::app
