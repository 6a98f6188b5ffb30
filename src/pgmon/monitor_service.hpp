#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fleet/fleet_service.hpp"
#include "pgmon/connection_pools.hpp"
#include "pgmon/prometheus_export.hpp"
#include "pgmon/queries.hpp"

namespace gatehouse::pgmon {

struct MonitorOptions {
    std::chrono::milliseconds activity_ttl{5000};
    std::chrono::milliseconds stats_ttl{30000};
    int query_text_max = 1000;  // characters of each session's query
    int table_limit = 100;      // tables in a database's statistics (the largest)
    /// Database sizes (a walk over every file of each database: the costliest statistic by far) are read at most
    /// this often per server, also for ?fresh=true; stats say when in sizes_collected_at.
    std::chrono::milliseconds size_interval{300000};
};

/// A snapshot and whether it came from the cache.
struct Snapshot {
    boost::json::object body;
    bool cache_hit = false;
};

/// What an activity answer is narrowed to; counts and `longest` describe every session the answer could show
/// (gatehouse's own only with include_self), the filters narrow `sessions`.
struct ActivityFilter {
    std::optional<std::string> state;  // active | idle | idle_in_transaction | idle_in_transaction_aborted | ...
    std::optional<std::string> database;
    std::optional<std::int64_t> min_duration_ms;
    bool include_self = false;
};

/// A cancel or terminate that was done.
struct SignalResult {
    int pid = 0;
    bool signalled = false;  // PostgreSQL found the process and sent the signal
    BackendInfo backend;
};

/// PostgreSQL monitoring of the fleet's servers: snapshots of activity and statistics, cached per server with one
/// query in flight per key however many callers ask, session cancel and terminate, and the Prometheus export.
/// Failures are core::Error with a `kind` (see pgmon::Failure); not_found for an unknown server or database.
class MonitorService {
  public:
    MonitorService(fleet::FleetService& fleet, ConnectionPools& pools, MonitorOptions options);
    ~MonitorService();

    boost::asio::awaitable<Snapshot> Activity(std::string server_id, ActivityFilter filter, bool fresh);
    boost::asio::awaitable<Snapshot> Stats(std::string server_id, bool fresh);
    boost::asio::awaitable<Snapshot> Databases(std::string server_id, bool fresh);
    boost::asio::awaitable<Snapshot> DatabaseStats(std::string server_id, std::string database,
                                                   StatementsQuery statements, bool fresh);
    /// Refuses (conflict) gatehouse's own monitoring sessions; not_found when no backend has `pid`.
    boost::asio::awaitable<SignalResult> Signal(std::string server_id, int pid, bool terminate);

    /// The server's statistics in the Prometheus text format (postgres_exporter's names); an unreachable server is
    /// `pg_up 0`, not an error. not_configured (409) without an endpoint.
    boost::asio::awaitable<std::string> Metrics(std::string server_id);
    /// Every server with an endpoint, each series labelled server="<id>".
    boost::asio::awaitable<std::string> AllMetrics();
    /// The servers that have a PostgreSQL endpoint.
    boost::asio::awaitable<std::vector<fleet::ServerView>> MonitoredServers();
    /// One server's series as Metrics() renders them (an unreachable server is pg_up 0), for the sampler.
    boost::asio::awaitable<Exposition> Export(std::string server_id);

    std::vector<PoolRow> Pools() const;
    /// Drops a server's cached snapshots and pools (its endpoint changed or it went).
    void Forget(const std::string& server_id);

    struct Impl;

  private:
    std::shared_ptr<Impl> impl_;
};

/// Checks an ActivityFilter's state against the states pg_stat_activity has (in the underscore form).
inline constexpr std::string_view kSessionStates[] = {
    "active", "idle", "idle_in_transaction", "idle_in_transaction_aborted", "fastpath_function_call", "disabled"};

}  // namespace gatehouse::pgmon
