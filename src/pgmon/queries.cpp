#include "pgmon/queries.hpp"

#include <boost/json/value.hpp>
#include <cmath>
#include <unordered_map>

#include "core/time.hpp"
#include "pgmon/failure.hpp"

namespace gatehouse::pgmon {
namespace json = boost::json;
namespace {

json::value OrNull(const std::optional<std::int64_t>& v) { return v ? json::value(*v) : json::value(nullptr); }
json::value OrNull(const std::optional<double>& v) { return v ? json::value(*v) : json::value(nullptr); }
json::value OrNull(const std::optional<std::string>& v) { return v ? json::value(*v) : json::value(nullptr); }
json::value TimeOrNull(const std::optional<double>& epoch) {
    return epoch ? json::value(FormatEpoch(*epoch)) : json::value(nullptr);
}

// "idle in transaction (aborted)" -> "idle_in_transaction_aborted": the form the counts and filters use.
std::optional<std::string> StateName(const std::optional<std::string>& state) {
    if (!state) return std::nullopt;
    std::string out;
    for (const char ch : *state) {
        if (ch == '(' || ch == ')') continue;
        out.push_back(ch == ' ' ? '_' : ch);
    }
    return out;
}

// "{12,34}" (an int[] in text form) -> [12, 34].
json::array PidArray(const std::optional<std::string>& text) {
    json::array out;
    if (!text) return out;
    std::int64_t value = 0;
    bool in_number = false;
    for (const char ch : *text) {
        if (ch >= '0' && ch <= '9') {
            value = value * 10 + (ch - '0');
            in_number = true;
        } else if (in_number) {
            out.emplace_back(value);
            value = 0;
            in_number = false;
        }
    }
    if (in_number) out.emplace_back(value);
    return out;
}

// "{a,b}" (a name[] in text form) -> ["a", "b"]; names here are plain identifiers, quoted ones keep their quotes out.
json::array NameArray(const std::optional<std::string>& text) {
    json::array out;
    if (!text || text->size() < 2) return out;
    std::string item;
    for (std::size_t i = 1; i + 1 < text->size(); ++i) {
        const char ch = (*text)[i];
        if (ch == ',') {
            out.emplace_back(item);
            item.clear();
        } else if (ch != '"') {
            item.push_back(ch);
        }
    }
    out.emplace_back(item);
    return out;
}

std::optional<double> Ratio(std::optional<std::int64_t> hit, std::optional<std::int64_t> read) {
    const auto h = hit.value_or(0), r = read.value_or(0);
    if (h + r == 0) return std::nullopt;
    return static_cast<double>(h) / static_cast<double>(h + r);
}

std::optional<double> Ms(std::optional<double> from, double now) {
    if (!from) return std::nullopt;
    return core::RoundMilliseconds(std::max(0.0, (now - *from) * 1000.0));
}

}  // namespace

std::string FormatEpoch(double seconds) {
    const auto micros = static_cast<std::int64_t>(std::llround(seconds * 1e6));
    return core::FormatRfc3339(core::Clock::time_point(std::chrono::microseconds(micros)));
}

ActivityRows ReadActivity(Session& session, int query_text_max) {
    // Times come as epoch seconds and are formatted here: the monitored server does the least work.
    // pg_blocking_pids takes the lock manager's locks: asked only for sessions waiting on a lock.
    static constexpr std::string_view kSql =
        "SELECT a.pid, a.usename, a.datname, a.application_name, host(a.client_addr), a.state, a.wait_event_type, "
        "a.wait_event, a.backend_type, left(a.query, $1::int), extract(epoch from a.query_start), "
        "extract(epoch from a.xact_start), extract(epoch from a.backend_start), extract(epoch from a.state_change), "
        "extract(epoch from now()), CASE WHEN a.wait_event_type = 'Lock' THEN pg_blocking_pids(a.pid) END, "
        "a.application_name = 'gatehouse-monitor' AND a.usename = current_user, "
        "current_setting('max_connections')::int FROM pg_stat_activity a";
    const auto results = session.Run({{"gatehouse_activity", kSql, {std::to_string(query_text_max)}}});
    const auto& result = results[0];
    const Rows rows(result.get());
    ActivityRows out;
    if (rows.size() == 0) throw Failure(FailureKind::unreachable, "pg_stat_activity showed not even this session");
    out.server_now = rows.Num(0, 14).value_or(0);
    out.max_connections = static_cast<int>(rows.Int(0, 17).value_or(0));
    for (int i = 0; i < rows.size(); ++i) {
        const auto state = StateName(rows.Text(i, 5));
        const auto query_start = rows.Num(i, 10), xact_start = rows.Num(i, 11), state_change = rows.Num(i, 13);
        // An active session has run its query this long; any other has been in its state this long.
        const auto duration = state == "active" ? Ms(query_start, out.server_now) : Ms(state_change, out.server_now);
        std::optional<std::string> client = rows.Text(i, 4);
        json::object s{{"pid", rows.Int(i, 0).value_or(0)},
                       {"user", OrNull(rows.Text(i, 1))},
                       {"database", OrNull(rows.Text(i, 2))},
                       {"application", rows.Str(i, 3)},
                       {"client_addr", OrNull(client)},
                       {"state", OrNull(state)},
                       {"wait_event_type", OrNull(rows.Text(i, 6))},
                       {"wait_event", OrNull(rows.Text(i, 7))},
                       {"backend_type", rows.Str(i, 8)},
                       {"query", OrNull(rows.Text(i, 9))},
                       {"query_start", TimeOrNull(query_start)},
                       {"xact_start", TimeOrNull(xact_start)},
                       {"backend_start", TimeOrNull(rows.Num(i, 12))},
                       {"state_change", TimeOrNull(state_change)},
                       {"duration_ms", OrNull(duration)},
                       {"xact_duration_ms", OrNull(Ms(xact_start, out.server_now))},
                       {"blocked_by", PidArray(rows.Text(i, 15))}};
        out.sessions.push_back(std::move(s));
        out.own.push_back(rows.Bool(i, 16).value_or(false));
    }
    return out;
}

StatsRows ReadStats(Session& session, bool with_sizes) {
    // One round trip of prepared statements. Database sizes walk the database's files: the costliest part by far,
    // so they come only when asked for (MonitorOptions::size_interval).
    static constexpr std::string_view kServer =
        "SELECT version(), current_setting('server_version_num')::int, "
        "extract(epoch from pg_postmaster_start_time()), extract(epoch from now()), "
        "current_setting('max_connections')::int, current_setting('superuser_reserved_connections')::int, "
        "(SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'), pg_is_in_recovery(), "
        "(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)::text, "
        "pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END, "
        "'0/0'), "
        "pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()), "
        "extract(epoch from now() - pg_last_xact_replay_timestamp()), "
        "(SELECT max(greatest(age(backend_xid), age(backend_xmin))) FROM pg_stat_activity), "
        "(SELECT extract(epoch from now() - min(xact_start)) FROM pg_stat_activity "
        "WHERE backend_type = 'client backend'), "
        "(SELECT max(age(datfrozenxid)) FROM pg_database)";
    static constexpr std::string_view kDatabases =
        "SELECT d.oid, d.datname, NULL::bigint, s.numbackends, s.xact_commit, s.xact_rollback, "
        "s.blks_read, s.blks_hit, s.tup_returned, s.tup_fetched, s.tup_inserted, s.tup_updated, s.tup_deleted, "
        "s.conflicts, s.temp_files, s.temp_bytes, s.deadlocks, age(d.datfrozenxid) "
        "FROM pg_database d LEFT JOIN pg_stat_database s ON s.datid = d.oid "
        "WHERE NOT d.datistemplate AND d.datallowconn ORDER BY d.datname";
    static constexpr std::string_view kBgwriter =
        "SELECT checkpoints_timed, checkpoints_req, checkpoint_write_time, checkpoint_sync_time, buffers_checkpoint, "
        "buffers_clean, maxwritten_clean, buffers_backend, buffers_backend_fsync, buffers_alloc FROM pg_stat_bgwriter";
    static constexpr std::string_view kReplication =
        "SELECT application_name, host(client_addr), state, sync_state, "
        "pg_wal_lsn_diff(w.lsn, sent_lsn), pg_wal_lsn_diff(w.lsn, write_lsn), pg_wal_lsn_diff(w.lsn, flush_lsn), "
        "pg_wal_lsn_diff(w.lsn, replay_lsn), extract(epoch from write_lag), extract(epoch from flush_lag), "
        "extract(epoch from replay_lag) FROM pg_stat_replication, (SELECT CASE WHEN pg_is_in_recovery() THEN "
        "pg_last_wal_receive_lsn() ELSE pg_current_wal_lsn() END AS lsn) w ORDER BY application_name";
    static constexpr std::string_view kSizes =
        "SELECT d.datname, pg_database_size(d.oid) FROM pg_database d WHERE NOT d.datistemplate AND d.datallowconn";
    std::vector<Prepared> statements{{"gatehouse_stats_server", kServer, {}},
                                     {"gatehouse_stats_databases", kDatabases, {}},
                                     {"gatehouse_stats_bgwriter", kBgwriter, {}},
                                     {"gatehouse_stats_replication", kReplication, {}}};
    if (with_sizes) statements.push_back({"gatehouse_database_sizes", kSizes, {}});
    const auto results = session.Run(statements);
    const Rows server(results[0].get()), databases(results[1].get()), bgwriter(results[2].get()),
        replication(results[3].get());
    StatsRows out;
    if (with_sizes) {
        const Rows sizes(results[4].get());
        std::unordered_map<std::string, std::int64_t> by_name;
        for (int i = 0; i < sizes.size(); ++i) by_name[sizes.Str(i, 0)] = sizes.Int(i, 1).value_or(0);
        out.sizes = std::move(by_name);
    }
    json::object& body = out.body;
    const double now = server.Num(0, 3).value_or(0);
    const auto started = server.Num(0, 2);
    body["version"] = server.Str(0, 0);
    body["server_version_num"] = server.Int(0, 1).value_or(0);
    body["started_at"] = TimeOrNull(started);
    body["uptime_s"] = started ? json::value(std::floor(now - *started)) : json::value(nullptr);
    body["connections"] = json::object{{"used", server.Int(0, 6).value_or(0)},
                                       {"max", server.Int(0, 4).value_or(0)},
                                       {"reserved", server.Int(0, 5).value_or(0)}};

    json::array dbs;
    std::int64_t hit = 0, read = 0, deadlocks = 0, temp_bytes = 0, conflicts = 0, commits = 0, rollbacks = 0;
    for (int i = 0; i < databases.size(); ++i) {
        const auto blks_read = databases.Int(i, 6), blks_hit = databases.Int(i, 7);
        hit += blks_hit.value_or(0);
        read += blks_read.value_or(0);
        deadlocks += databases.Int(i, 16).value_or(0);
        temp_bytes += databases.Int(i, 15).value_or(0);
        conflicts += databases.Int(i, 13).value_or(0);
        commits += databases.Int(i, 4).value_or(0);
        rollbacks += databases.Int(i, 5).value_or(0);
        dbs.push_back(json::object{{"name", databases.Str(i, 1)},
                                   {"oid", databases.Int(i, 0).value_or(0)},
                                   {"size_bytes", 0},  // filled in from the size snapshot
                                   {"numbackends", databases.Int(i, 3).value_or(0)},
                                   {"xact_commit", databases.Int(i, 4).value_or(0)},
                                   {"xact_rollback", databases.Int(i, 5).value_or(0)},
                                   {"blks_read", blks_read.value_or(0)},
                                   {"blks_hit", blks_hit.value_or(0)},
                                   {"cache_hit_ratio", OrNull(Ratio(blks_hit, blks_read))},
                                   {"tup_returned", databases.Int(i, 8).value_or(0)},
                                   {"tup_fetched", databases.Int(i, 9).value_or(0)},
                                   {"tup_inserted", databases.Int(i, 10).value_or(0)},
                                   {"tup_updated", databases.Int(i, 11).value_or(0)},
                                   {"tup_deleted", databases.Int(i, 12).value_or(0)},
                                   {"conflicts", databases.Int(i, 13).value_or(0)},
                                   {"temp_files", databases.Int(i, 14).value_or(0)},
                                   {"temp_bytes", databases.Int(i, 15).value_or(0)},
                                   {"deadlocks", databases.Int(i, 16).value_or(0)},
                                   {"frozenxid_age", databases.Int(i, 17).value_or(0)}});
    }
    body["databases"] = std::move(dbs);
    body["totals"] = json::object{{"xact_commit", commits},
                                  {"xact_rollback", rollbacks},
                                  {"blks_read", read},
                                  {"blks_hit", hit},
                                  {"cache_hit_ratio", OrNull(Ratio(hit, read))},
                                  {"deadlocks", deadlocks},
                                  {"temp_bytes", temp_bytes},
                                  {"conflicts", conflicts}};
    out.wal_bytes = server.Num(0, 9).value_or(0);
    body["wal"] = json::object{{"lsn", OrNull(server.Text(0, 8))}, {"bytes", out.wal_bytes}, {"bytes_per_s", nullptr}};

    const bool standby = server.Bool(0, 7).value_or(false);
    json::array standbys;
    for (int i = 0; i < replication.size(); ++i) {
        standbys.push_back(json::object{{"application_name", replication.Str(i, 0)},
                                        {"client_addr", OrNull(replication.Text(i, 1))},
                                        {"state", OrNull(replication.Text(i, 2))},
                                        {"sync_state", OrNull(replication.Text(i, 3))},
                                        {"sent_lag_bytes", OrNull(replication.Num(i, 4))},
                                        {"write_lag_bytes", OrNull(replication.Num(i, 5))},
                                        {"flush_lag_bytes", OrNull(replication.Num(i, 6))},
                                        {"replay_lag_bytes", OrNull(replication.Num(i, 7))},
                                        {"write_lag_s", OrNull(replication.Num(i, 8))},
                                        {"flush_lag_s", OrNull(replication.Num(i, 9))},
                                        {"replay_lag_s", OrNull(replication.Num(i, 10))}});
    }
    json::object replication_body{{"role", standby ? "standby" : "primary"}, {"standbys", std::move(standbys)}};
    if (standby) {
        replication_body["lag_bytes"] = OrNull(server.Num(0, 10));
        replication_body["lag_s"] = OrNull(server.Num(0, 11));
    }
    body["replication"] = std::move(replication_body);

    body["checkpointer"] = json::object{{"checkpoints_timed", bgwriter.Int(0, 0).value_or(0)},
                                        {"checkpoints_req", bgwriter.Int(0, 1).value_or(0)},
                                        {"checkpoint_write_time_ms", bgwriter.Num(0, 2).value_or(0)},
                                        {"checkpoint_sync_time_ms", bgwriter.Num(0, 3).value_or(0)},
                                        {"buffers_checkpoint", bgwriter.Int(0, 4).value_or(0)},
                                        {"buffers_clean", bgwriter.Int(0, 5).value_or(0)},
                                        {"maxwritten_clean", bgwriter.Int(0, 6).value_or(0)},
                                        {"buffers_backend", bgwriter.Int(0, 7).value_or(0)},
                                        {"buffers_backend_fsync", bgwriter.Int(0, 8).value_or(0)},
                                        {"buffers_alloc", bgwriter.Int(0, 9).value_or(0)}};
    const auto oldest_xact_s = server.Num(0, 13);
    body["wraparound"] = json::object{{"oldest_xact_age", server.Int(0, 12).value_or(0)},
                                      {"oldest_xact_s", OrNull(oldest_xact_s)},
                                      {"max_frozenxid_age", server.Int(0, 14).value_or(0)}};
    return out;
}

json::array ReadDatabases(Session& session) {
    const auto result = session.Query(
        "SELECT d.datname, pg_get_userbyid(d.datdba), pg_encoding_to_char(d.encoding), pg_database_size(d.oid), "
        "s.numbackends, d.datallowconn, d.datconnlimit FROM pg_database d "
        "LEFT JOIN pg_stat_database s ON s.datid = d.oid WHERE NOT d.datistemplate ORDER BY d.datname");
    const Rows rows(result.get());
    json::array out;
    for (int i = 0; i < rows.size(); ++i) {
        out.push_back(json::object{{"name", rows.Str(i, 0)},
                                   {"owner", rows.Str(i, 1)},
                                   {"encoding", rows.Str(i, 2)},
                                   {"size_bytes", rows.Int(i, 3).value_or(0)},
                                   {"connections", rows.Int(i, 4).value_or(0)},
                                   {"allow_connections", rows.Bool(i, 5).value_or(false)},
                                   {"connection_limit", rows.Int(i, 6).value_or(-1)}});
    }
    return out;
}

namespace {

json::array ReadStatements(Session& session, const StatementsQuery& q) {
    std::string order = "s.total_exec_time";
    if (q.order == "calls") order = "s.calls";
    if (q.order == "mean_time") order = "s.mean_exec_time";
    if (q.order == "rows") order = "s.rows";
    // pg_stat_statements(false) leaves the query texts file alone: reading it is what hurts a busy server.
    const std::string sql = std::string(
                                "SELECT s.queryid, pg_get_userbyid(s.userid), s.calls, s.total_exec_time, "
                                "s.mean_exec_time, s.rows, s.shared_blks_hit, s.shared_blks_read, "
                                "s.temp_blks_written") +
                            (q.text ? ", left(s.query, 2000)" : "") + " FROM pg_stat_statements(" +
                            (q.text ? "true" : "false") +
                            ") s WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                            "ORDER BY " +
                            order + " DESC LIMIT " + std::to_string(q.top);
    const auto result = session.Query(sql);
    const Rows rows(result.get());
    json::array out;
    for (int i = 0; i < rows.size(); ++i) {
        json::object s{{"queryid", rows.Str(i, 0)},
                       {"user", rows.Str(i, 1)},
                       {"calls", rows.Int(i, 2).value_or(0)},
                       {"total_time_ms", rows.Num(i, 3).value_or(0)},
                       {"mean_time_ms", rows.Num(i, 4).value_or(0)},
                       {"rows", rows.Int(i, 5).value_or(0)},
                       {"shared_blks_hit", rows.Int(i, 6).value_or(0)},
                       {"shared_blks_read", rows.Int(i, 7).value_or(0)},
                       {"cache_hit_ratio", OrNull(Ratio(rows.Int(i, 6), rows.Int(i, 7)))},
                       {"temp_blks_written", rows.Int(i, 8).value_or(0)},
                       {"query", q.text ? OrNull(rows.Text(i, 9)) : json::value(nullptr)}};
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace

json::object ReadDatabaseStats(Session& session, const StatementsQuery& statements, int table_limit) {
    static constexpr std::string_view kHead =
        "SELECT current_database(), pg_database_size(current_database()), "
        "(SELECT count(*) FROM pg_stat_user_tables), "
        "(SELECT extversion FROM pg_extension WHERE extname = 'pg_stat_statements')";
    static constexpr std::string_view kTables =
        "SELECT s.schemaname, s.relname, pg_table_size(s.relid), pg_total_relation_size(s.relid), "
        "pg_indexes_size(s.relid), s.n_live_tup, s.n_dead_tup, s.seq_scan, s.idx_scan, "
        "extract(epoch from s.last_vacuum), extract(epoch from s.last_autovacuum), extract(epoch from s.last_analyze), "
        "extract(epoch from s.last_autoanalyze), s.vacuum_count, s.autovacuum_count, s.analyze_count, "
        "s.autoanalyze_count FROM pg_stat_user_tables s ORDER BY pg_total_relation_size(s.relid) DESC, s.relid "
        "LIMIT $1::int";
    static constexpr std::string_view kUnused =
        "SELECT s.schemaname, s.relname, s.indexrelname, pg_relation_size(s.indexrelid), s.idx_scan "
        "FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid "
        "WHERE s.idx_scan = 0 AND NOT i.indisunique AND NOT i.indisprimary AND NOT i.indisexclusion "
        "ORDER BY pg_relation_size(s.indexrelid) DESC, s.indexrelid LIMIT 100";
    static constexpr std::string_view kDuplicates =
        "SELECT n.nspname, c.relname, array_agg(ci.relname::text ORDER BY ci.relname), "
        "sum(pg_relation_size(i.indexrelid)) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_class ci ON ci.oid = i.indexrelid "
        "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' "
        "GROUP BY n.nspname, c.relname, i.indrelid, i.indkey::text, i.indclass::text, "
        "coalesce(pg_get_expr(i.indexprs, i.indrelid), ''), coalesce(pg_get_expr(i.indpred, i.indrelid), '') "
        "HAVING count(*) > 1 ORDER BY 1, 2";
    const auto results = session.Run({{"gatehouse_db_head", kHead, {}},
                                      {"gatehouse_db_tables", kTables, {std::to_string(table_limit)}},
                                      {"gatehouse_db_unused_indexes", kUnused, {}},
                                      {"gatehouse_db_duplicate_indexes", kDuplicates, {}}});
    const Rows head(results[0].get()), tables(results[1].get()), unused(results[2].get()), duplicates(results[3].get());

    json::object body{{"database", head.Str(0, 0)},
                      {"size_bytes", head.Int(0, 1).value_or(0)},
                      {"tables_total", head.Int(0, 2).value_or(0)}};
    json::array table_rows;
    for (int i = 0; i < tables.size(); ++i) {
        const auto live = tables.Int(i, 5).value_or(0), dead = tables.Int(i, 6).value_or(0);
        table_rows.push_back(json::object{
            {"schema", tables.Str(i, 0)},
            {"name", tables.Str(i, 1)},
            {"size_bytes", tables.Int(i, 2).value_or(0)},
            {"total_size_bytes", tables.Int(i, 3).value_or(0)},
            {"indexes_size_bytes", tables.Int(i, 4).value_or(0)},
            {"live_tuples", live},
            {"dead_tuples", dead},
            {"dead_tuple_ratio", live + dead > 0
                                     ? json::value(static_cast<double>(dead) / static_cast<double>(live + dead))
                                     : json::value(nullptr)},
            {"seq_scan", tables.Int(i, 7).value_or(0)},
            {"idx_scan", OrNull(tables.Int(i, 8))},
            {"last_vacuum", TimeOrNull(tables.Num(i, 9))},
            {"last_autovacuum", TimeOrNull(tables.Num(i, 10))},
            {"last_analyze", TimeOrNull(tables.Num(i, 11))},
            {"last_autoanalyze", TimeOrNull(tables.Num(i, 12))},
            {"vacuum_count", tables.Int(i, 13).value_or(0)},
            {"autovacuum_count", tables.Int(i, 14).value_or(0)},
            {"analyze_count", tables.Int(i, 15).value_or(0)},
            {"autoanalyze_count", tables.Int(i, 16).value_or(0)}});
    }
    body["tables"] = std::move(table_rows);

    json::array unused_rows;
    for (int i = 0; i < unused.size(); ++i) {
        unused_rows.push_back(json::object{{"schema", unused.Str(i, 0)},
                                           {"table", unused.Str(i, 1)},
                                           {"index", unused.Str(i, 2)},
                                           {"size_bytes", unused.Int(i, 3).value_or(0)},
                                           {"idx_scan", unused.Int(i, 4).value_or(0)}});
    }
    body["unused_indexes"] = std::move(unused_rows);
    json::array duplicate_rows;
    for (int i = 0; i < duplicates.size(); ++i) {
        duplicate_rows.push_back(json::object{{"schema", duplicates.Str(i, 0)},
                                              {"table", duplicates.Str(i, 1)},
                                              {"indexes", NameArray(duplicates.Text(i, 2))},
                                              {"size_bytes", duplicates.Int(i, 3).value_or(0)}});
    }
    body["duplicate_indexes"] = std::move(duplicate_rows);

    body["statements"] = nullptr;
    body["statements_reason"] = nullptr;
    if (head.IsNull(0, 3)) {
        body["statements_reason"] = "the pg_stat_statements extension is not installed in database " + head.Str(0, 0) +
                                    " (CREATE EXTENSION pg_stat_statements)";
        return body;
    }
    try {
        body["statements"] = ReadStatements(session, statements);
    } catch (const core::Error& error) {
        // Installed but not loaded (shared_preload_libraries), or not readable: the rest of the answer stands.
        if (error.kind() == "unreachable") throw;
        body["statements_reason"] = std::string("pg_stat_statements cannot be read: ") + error.what();
    }
    return body;
}

std::optional<BackendInfo> ReadBackend(Session& session, int pid) {
    const auto result = session.Query(
        "SELECT usename, datname, application_name, left(query, 200), "
        "application_name = 'gatehouse-monitor' AND usename = current_user, backend_type "
        "FROM pg_stat_activity WHERE pid = $1",
        {std::to_string(pid)});
    const Rows rows(result.get());
    if (rows.size() == 0) return std::nullopt;
    return BackendInfo{rows.Str(0, 0), rows.Str(0, 1), rows.Str(0, 2),
                       rows.Str(0, 3), rows.Str(0, 5), rows.Bool(0, 4).value_or(false)};
}

bool SignalBackend(Session& session, int pid, bool terminate) {
    const auto result = session.Query(terminate ? "SELECT pg_terminate_backend($1)" : "SELECT pg_cancel_backend($1)",
                                      {std::to_string(pid)});
    return Rows(result.get()).Bool(0, 0).value_or(false);
}

}  // namespace gatehouse::pgmon
