#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>
#include <string_view>
#include <unordered_map>

#include "metricstore/metric_service.hpp"
#include "metricstore/sample.hpp"
#include "pgmon/monitor_service.hpp"

namespace gatehouse::sampler {

/// The labels of a Prometheus exposition line's braces (`a="x",b="y\"z"`), unescaped and sorted; nullopt when
/// malformed.
std::optional<metricstore::Labels> ParseLabels(std::string_view text);

/// Gatehouse's own PostgreSQL sampler: every server with a postgres endpoint, on an interval, into the metrics store
/// with a `server` label, so history and alerts work without any agent. The series are the Prometheus export's
/// (postgres_exporter's names: connections by state, commits, rollbacks, cache hit ratio, database sizes,
/// replication lag, longest transaction, wait events by type) plus dead tuples per database.
class PgSampler {
  public:
    PgSampler(pgmon::MonitorService& monitor, metricstore::MetricService& store, std::chrono::seconds interval,
              std::chrono::seconds tables_interval);

    /// One round over every monitored server; returns the samples stored. Times are the interval's start, so
    /// instances sharing a database write the same points rather than twice as many.
    boost::asio::awaitable<std::size_t> SampleOnce();

  private:
    pgmon::MonitorService& monitor_;
    metricstore::MetricService& store_;
    std::chrono::seconds interval_;
    std::chrono::seconds tables_interval_;
    std::unordered_map<std::string, std::chrono::steady_clock::time_point> last_tables_;  // per server
};

}  // namespace gatehouse::sampler
