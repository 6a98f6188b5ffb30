#pragma once
// The monitoring queries and what their rows become. Each runs on a worker thread with a pooled session; each is
// one round trip, and reads only catalog views and statistics (never a user table).

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "pgmon/pg_session.hpp"

namespace gatehouse::pgmon {

/// One pg_stat_activity snapshot (the monitoring session that asks is in it). Sessions carry every field of the
/// contract; `own` marks gatehouse's monitoring sessions (application_name gatehouse-monitor, same role).
struct ActivityRows {
    double server_now = 0;  // the server's clock, Unix seconds
    int max_connections = 0;
    boost::json::array sessions;
    std::vector<bool> own;
};
ActivityRows ReadActivity(Session& session, int query_text_max);

/// Server statistics in the contract's shape, except wal.bytes_per_s (the caller knows the previous snapshot) and
/// the databases' size_bytes (0 here: `sizes` when asked for, else the caller's earlier ones). `wal_bytes` is the
/// absolute WAL position in bytes.
struct StatsRows {
    boost::json::object body;
    double wal_bytes = 0;
    std::optional<std::unordered_map<std::string, std::int64_t>> sizes;  // database -> bytes
};
StatsRows ReadStats(Session& session, bool with_sizes);

/// Every database that is not a template: name, owner, encoding, size, connections.
boost::json::array ReadDatabases(Session& session);

struct StatementsQuery {
    int top = 20;
    std::string order = "total_time";  // total_time | calls | mean_time | rows
    bool text = false;                 // include the query text (capped at 2000 characters)
};
inline constexpr std::string_view kStatementOrders[] = {"total_time", "calls", "mean_time", "rows"};

/// One database's tables (the largest `table_limit`), unused and duplicate indexes, and its top statements when
/// pg_stat_statements is there (otherwise statements is null and statements_reason says why).
boost::json::object ReadDatabaseStats(Session& session, const StatementsQuery& statements, int table_limit);

/// A backend as pg_stat_activity shows it, for a cancel or terminate.
struct BackendInfo {
    std::string user;
    std::string database;
    std::string application;
    std::string query;  // first 200 characters
    std::string backend_type;
    bool own = false;  // one of gatehouse's monitoring sessions
};
std::optional<BackendInfo> ReadBackend(Session& session, int pid);
/// pg_cancel_backend or pg_terminate_backend; false when PostgreSQL found no such process.
bool SignalBackend(Session& session, int pid, bool terminate);

/// "2026-12-04T19:30:00.123Z" of Unix seconds.
std::string FormatEpoch(double seconds);

}  // namespace gatehouse::pgmon
