#include "pgmon/prometheus_export.hpp"

#include <algorithm>
#include <map>

#include "core/time.hpp"
#include "metrics/registry.hpp"

namespace gatehouse::pgmon {
namespace json = boost::json;
namespace {

std::string Join(const std::string& server_labels, const std::string& labels) {
    if (server_labels.empty()) return labels;
    if (labels.empty()) return server_labels;
    return server_labels + "," + labels;
}

std::string Label(std::string_view name, std::string_view value) {
    return std::string(name) + "=\"" + metrics::LabelValue(value) + "\"";
}

double Number(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v != nullptr && v->is_number() ? v->to_number<double>() : 0.0;
}

bool Has(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v != nullptr && v->is_number();
}

std::string Text(const json::value& v) { return v.is_string() ? std::string(v.as_string()) : std::string(); }

}  // namespace

void Exposition::Add(std::string_view name, std::string_view type, std::string_view help, std::string labels,
                     double value) {
    auto it = std::find_if(families_.begin(), families_.end(), [&](const Family& f) { return f.name == name; });
    if (it == families_.end()) {
        families_.push_back({std::string(name), std::string(type), std::string(help), {}});
        it = std::prev(families_.end());
    }
    it->samples.emplace_back(std::move(labels), value);
}

std::string Exposition::Render() const {
    metrics::Writer writer;
    for (const auto& family : families_) {
        writer.Family(family.name, family.type, family.help);
        for (const auto& [labels, value] : family.samples) writer.Sample(family.name, labels, value);
    }
    return writer.Take();
}

std::vector<std::tuple<std::string, std::string, double>> Exposition::Samples() const {
    std::vector<std::tuple<std::string, std::string, double>> samples;
    for (const auto& family : families_)
        for (const auto& [labels, value] : family.samples) samples.emplace_back(family.name, labels, value);
    return samples;
}

void ExportServer(Exposition& out, const std::string& server_labels, const json::object* stats,
                  const ActivityRows* activity, std::string_view failure_kind) {
    const std::string& s = server_labels;
    out.Add("pg_up", "gauge", "Whether the last scrape of PostgreSQL worked (1) or not (0)", s, stats ? 1 : 0);
    if (!stats) {
        out.Add("gatehouse_pg_scrape_failure", "gauge", "Why the last scrape failed (the kind label)",
                Join(s, Label("kind", failure_kind)), 1);
        return;
    }
    const json::object& st = *stats;
    const std::string version = Text(st.at("version"));
    const auto space = version.find(' ', 11);
    out.Add("pg_static", "gauge", "Version string as reported by PostgreSQL",
            Join(s, Label("short_version", version.substr(11, space == std::string::npos ? 0 : space - 11)) + "," +
                        Label("version", version)),
            1);
    if (st.at("started_at").is_string()) {
        if (const auto started = core::ParseRfc3339(Text(st.at("started_at"))))
            out.Add("pg_postmaster_start_time_seconds", "gauge", "Time at which postmaster started", s,
                    std::chrono::duration<double>(started->time_since_epoch()).count());
    }
    const auto& connections = st.at("connections").as_object();
    out.Add("pg_settings_max_connections", "gauge", "Sets the maximum number of concurrent connections.", s,
            Number(connections, "max"));
    out.Add("pg_settings_superuser_reserved_connections", "gauge",
            "Sets the number of connection slots reserved for superusers.", s, Number(connections, "reserved"));
    out.Add("gatehouse_pg_connections_used", "gauge", "Connections open (every backend with a client)", s,
            Number(connections, "used"));
    // What an alert compares with a threshold: one series, no arithmetic between two.
    if (Number(connections, "max") > 0)
        out.Add("gatehouse_pg_connections_used_ratio", "gauge", "Connections open divided by max_connections", s,
                Number(connections, "used") / Number(connections, "max"));

    // pg_stat_database_*: counters since the last statistics reset, per database.
    static constexpr std::pair<std::string_view, std::string_view> kDatabaseCounters[] = {
        {"numbackends", "Number of backends currently connected to this database"},
        {"xact_commit", "Number of transactions in this database that have been committed"},
        {"xact_rollback", "Number of transactions in this database that have been rolled back"},
        {"blks_read", "Number of disk blocks read in this database"},
        {"blks_hit", "Number of times disk blocks were found already in the buffer cache"},
        {"tup_returned", "Number of rows returned by queries in this database"},
        {"tup_fetched", "Number of rows fetched by queries in this database"},
        {"tup_inserted", "Number of rows inserted by queries in this database"},
        {"tup_updated", "Number of rows updated by queries in this database"},
        {"tup_deleted", "Number of rows deleted by queries in this database"},
        {"conflicts", "Number of queries canceled due to conflicts with recovery in this database"},
        {"temp_files", "Number of temporary files created by queries in this database"},
        {"temp_bytes", "Total amount of data written to temporary files by queries in this database"},
        {"deadlocks", "Number of deadlocks detected in this database"}};
    const auto& databases = st.at("databases").as_array();
    for (const auto& [column, help] : kDatabaseCounters) {
        const std::string name = "pg_stat_database_" + std::string(column);
        for (const auto& d : databases) {
            const auto& db = d.as_object();
            const std::string labels = Label("datid", std::to_string(static_cast<long long>(Number(db, "oid")))) + "," +
                                       Label("datname", Text(db.at("name")));
            out.Add(name, column == "numbackends" ? "gauge" : "untyped", help, Join(s, labels), Number(db, column));
        }
    }
    for (const auto& d : databases) {
        const auto& db = d.as_object();
        out.Add("pg_database_size_bytes", "gauge", "Disk space used by the database",
                Join(s, Label("datname", Text(db.at("name")))), Number(db, "size_bytes"));
    }
    for (const auto& d : databases) {
        const auto& db = d.as_object();
        if (Has(db, "cache_hit_ratio"))
            out.Add("gatehouse_pg_cache_hit_ratio", "gauge", "Share of block reads served by shared buffers",
                    Join(s, Label("datname", Text(db.at("name")))), Number(db, "cache_hit_ratio"));
    }

    if (activity) {
        // pg_stat_activity_count and _max_tx_duration by database and state, as postgres_exporter groups them.
        std::map<std::pair<std::string, std::string>, std::pair<double, double>> groups;
        // Every database has every state, 0 when no session is in it, as postgres_exporter writes them.
        static constexpr std::string_view kStates[] = {"active",
                                                       "disabled",
                                                       "fastpath function call",
                                                       "idle",
                                                       "idle in transaction",
                                                       "idle in transaction (aborted)"};
        for (const auto& d : databases)
            for (const auto state : kStates) groups[{Text(d.as_object().at("name")), std::string(state)}];
        for (std::size_t i = 0; i < activity->sessions.size(); ++i) {
            if (activity->own[i]) continue;
            const auto& session = activity->sessions[i].as_object();
            if (!session.at("state").is_string()) continue;  // background processes
            std::string state = Text(session.at("state"));
            std::replace(state.begin(), state.end(), '_', ' ');
            if (state == "idle in transaction aborted") state = "idle in transaction (aborted)";
            auto& g = groups[{Text(session.at("database")), state}];
            g.first += 1;
            const auto& xact = session.at("xact_duration_ms");
            if (xact.is_number()) g.second = std::max(g.second, xact.to_number<double>() / 1000.0);
        }
        for (const auto& [key, value] : groups)
            // untyped, not gauge: promtool rejects a gauge named *_count, and the name is postgres_exporter's.
            out.Add("pg_stat_activity_count", "untyped", "number of connections in this state",
                    Join(s, Label("datname", key.first) + "," + Label("state", key.second)), value.first);
        for (const auto& [key, value] : groups)
            out.Add("pg_stat_activity_max_tx_duration", "gauge",
                    "max duration in seconds any active transaction has been running",
                    Join(s, Label("datname", key.first) + "," + Label("state", key.second)), value.second);
        // Sessions waiting, by wait event type (Lock, LWLock, IO, Client, ...).
        std::map<std::string, double> waits;
        for (std::size_t i = 0; i < activity->sessions.size(); ++i) {
            const auto& session = activity->sessions[i].as_object();
            if (activity->own[i] || !session.at("wait_event_type").is_string()) continue;
            waits[Text(session.at("wait_event_type"))] += 1;
        }
        for (const auto& [type, count] : waits)
            out.Add("gatehouse_pg_wait_events", "gauge", "Sessions waiting, by wait event type",
                    Join(s, Label("wait_event_type", type)), count);
    }

    const auto& checkpointer = st.at("checkpointer").as_object();
    static constexpr std::pair<std::string_view, std::string_view> kBgwriter[] = {
        {"checkpoints_timed", "Number of scheduled checkpoints that have been performed"},
        {"checkpoints_req", "Number of requested checkpoints that have been performed"},
        {"checkpoint_write_time_ms", "Time spent writing checkpoint files to disk, in milliseconds"},
        {"checkpoint_sync_time_ms", "Time spent synchronizing checkpoint files to disk, in milliseconds"},
        {"buffers_checkpoint", "Number of buffers written during checkpoints"},
        {"buffers_clean", "Number of buffers written by the background writer"},
        {"maxwritten_clean", "Times the background writer stopped a cleaning scan for writing too many buffers"},
        {"buffers_backend", "Number of buffers written directly by a backend"},
        {"buffers_backend_fsync", "Times a backend had to execute its own fsync call"},
        {"buffers_alloc", "Number of buffers allocated"}};
    for (const auto& [field, help] : kBgwriter) {
        std::string name(field);
        if (name.ends_with("_ms")) name.resize(name.size() - 3);
        out.Add("pg_stat_bgwriter_" + name + "_total", "counter", help, s, Number(checkpointer, field));
    }

    const auto& wal = st.at("wal").as_object();
    out.Add("gatehouse_pg_wal_position_bytes", "gauge", "Current WAL position (replayed, on a standby), in bytes", s,
            Number(wal, "bytes"));
    if (Has(wal, "bytes_per_s"))
        out.Add("gatehouse_pg_wal_bytes_per_second", "gauge", "WAL written per second since the previous snapshot", s,
                Number(wal, "bytes_per_s"));

    const auto& replication = st.at("replication").as_object();
    const bool standby = Text(replication.at("role")) == "standby";
    out.Add("pg_replication_is_replica", "gauge", "Indicates if the server is a replica", s, standby ? 1 : 0);
    if (standby && Has(replication, "lag_s"))
        out.Add("pg_replication_lag", "gauge", "Replication lag behind master in seconds", s,
                Number(replication, "lag_s"));
    for (const auto& r : replication.at("standbys").as_array()) {
        const auto& standby_row = r.as_object();
        const std::string labels = Label("application_name", Text(standby_row.at("application_name"))) + "," +
                                   Label("client_addr", Text(standby_row.at("client_addr"))) + "," +
                                   Label("state", Text(standby_row.at("state"))) + "," +
                                   Label("sync_state", Text(standby_row.at("sync_state")));
        out.Add("pg_stat_replication_pg_wal_lsn_diff", "gauge", "Lag in bytes between master and slave",
                Join(s, labels), Number(standby_row, "replay_lag_bytes"));
        for (const std::string_view lag : {"write_lag_s", "flush_lag_s", "replay_lag_s"}) {
            std::string name = "gatehouse_pg_stat_replication_" + std::string(lag);
            name.replace(name.size() - 2, 2, "_seconds");
            out.Add(name, "gauge", "Replication lag of the standby, in seconds", Join(s, labels),
                    Number(standby_row, lag));
        }
    }

    const auto& wraparound = st.at("wraparound").as_object();
    out.Add("gatehouse_pg_oldest_xact_age", "gauge", "Age in transactions of the oldest running transaction's snapshot",
            s, Number(wraparound, "oldest_xact_age"));
    out.Add("gatehouse_pg_max_frozenxid_age", "gauge",
            "Largest age(datfrozenxid) of any database: transactions towards wraparound", s,
            Number(wraparound, "max_frozenxid_age"));
}

}  // namespace gatehouse::pgmon
