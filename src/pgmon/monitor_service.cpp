#include "pgmon/monitor_service.hpp"

#include <algorithm>
#include <mutex>
#include <unordered_map>

#include "core/single_flight.hpp"
#include "core/time.hpp"
#include "metrics/registry.hpp"
#include "pgmon/failure.hpp"
#include "pgmon/prometheus_export.hpp"

namespace gatehouse::pgmon {
namespace json = boost::json;
namespace {

using Clock = std::chrono::steady_clock;

/// What one monitoring query brought back, shared by every caller that reads it from the cache.
struct Entry {
    json::object body;      // the answer, with collected_at and server_id
    ActivityRows activity;  // activity only: every session, before filters
    Clock::time_point at;
};
using EntryPtr = std::shared_ptr<const Entry>;

struct WalMark {
    double bytes = 0;
    Clock::time_point at;
};

struct SizeMark {
    std::unordered_map<std::string, std::int64_t> bytes;  // database -> pg_database_size
    std::string collected_at;
    Clock::time_point at;
};

Endpoint EndpointOf(const fleet::PostgresAccess& access, const std::string& database) {
    const auto& server = access.server;
    if (!server.postgres)
        throw Failure(FailureKind::not_configured,
                      "the server " + server.name + " has no PostgreSQL endpoint (set `postgres` on the server)");
    const auto& pg = *server.postgres;
    if (pg.has_password && pg.password_locked)
        throw Failure(FailureKind::not_configured,
                      "the stored PostgreSQL password of " + server.name +
                          " was approved for another endpoint: give it again, or have an admin accept the server's "
                          "host key");
    Endpoint e;
    e.server_id = server.id;
    // Through SSH the connection starts on the server itself: PostgreSQL listening on its loopback is the usual case.
    e.host = pg.host.value_or(pg.via_ssh ? "127.0.0.1" : server.address);
    e.port = pg.port;
    e.user = pg.user;
    e.password = access.password;
    e.database = database.empty() ? pg.database : database;
    e.sslmode = pg.sslmode;
    e.pool_class = pg.pool_class;
    e.ssh = access.ssh;
    return e;
}

bool Matches(const json::object& session, const ActivityFilter& filter) {
    if (filter.state) {
        const auto* state = session.if_contains("state");
        if (!state || !state->is_string() || state->as_string() != *filter.state) return false;
    }
    if (filter.database) {
        const auto* database = session.if_contains("database");
        if (!database || !database->is_string() || database->as_string() != *filter.database) return false;
    }
    if (filter.min_duration_ms) {
        const auto* duration = session.if_contains("duration_ms");
        if (!duration || !duration->is_number() || duration->to_number<double>() < *filter.min_duration_ms)
            return false;
    }
    return true;
}

double NumberOr(const json::value* v, double fallback) {
    return v != nullptr && v->is_number() ? v->to_number<double>() : fallback;
}

}  // namespace

struct MonitorService::Impl {
    fleet::FleetService& fleet;
    ConnectionPools& pools;
    MonitorOptions options;

    std::mutex mutex;
    std::unordered_map<std::string, EntryPtr> cache;  // guarded by mutex
    std::unordered_map<std::string, WalMark> wal;     // per server; guarded by mutex
    std::unordered_map<std::string, SizeMark> sizes;  // per server; guarded by mutex
    core::SingleFlight<EntryPtr> flights;

    EntryPtr Fresh(const std::string& key, std::chrono::milliseconds ttl) {
        const std::lock_guard lock(mutex);
        const auto it = cache.find(key);
        if (it == cache.end() || Clock::now() - it->second->at >= ttl) return nullptr;
        return it->second;
    }

    void Store(const std::string& key, EntryPtr entry) {
        const std::lock_guard lock(mutex);
        cache[key] = std::move(entry);
    }

    /// The cached entry for `key` while younger than `ttl` (unless `fresh`), else one load for every caller that
    /// asks meanwhile. The entry is cached before the waiters wake, so no caller after them starts another load.
    template <class Load>
    boost::asio::awaitable<std::pair<EntryPtr, bool>> Cached(const std::string& key, std::chrono::milliseconds ttl,
                                                             bool fresh, Load load) {
        if (!fresh) {
            if (auto hit = Fresh(key, ttl)) co_return std::make_pair(std::move(hit), true);
        }
        Impl* const self = this;
        const std::string* const k = &key;
        Load* const l = &load;
        auto work = [self, k, l]() -> boost::asio::awaitable<EntryPtr> {
            EntryPtr entry = co_await (*l)();
            self->Store(*k, entry);
            co_return entry;
        };
        EntryPtr entry = co_await flights.Run(key, work);
        co_return std::make_pair(std::move(entry), false);
    }

    boost::asio::awaitable<Endpoint> EndpointFor(const std::string& server_id, const std::string& database) {
        fleet::PostgresAccess access;
        try {
            access = co_await fleet.PostgresAccessFor(server_id);
        } catch (const ssh::SshError& error) {
            throw Failure(FailureKind::tunnel_failed,
                          std::string("the SSH tunnel to the server could not be opened: ") + error.what());
        }
        co_return EndpointOf(access, database);
    }

    boost::asio::awaitable<EntryPtr> LoadActivity(const std::string& server_id) {
        const Endpoint endpoint = co_await EndpointFor(server_id, "");
        const int text_max = options.query_text_max;
        auto entry = std::make_shared<Entry>();
        entry->activity = co_await pools.Run(endpoint, [text_max](Session& s) { return ReadActivity(s, text_max); });
        entry->at = Clock::now();
        entry->body = {{"collected_at", core::NowRfc3339()}, {"server_id", server_id}};
        co_return entry;
    }

    boost::asio::awaitable<EntryPtr> LoadStats(const std::string& server_id) {
        const Endpoint endpoint = co_await EndpointFor(server_id, "");
        bool with_sizes = true;
        {
            const std::lock_guard lock(mutex);
            const auto it = sizes.find(server_id);
            with_sizes = it == sizes.end() || Clock::now() - it->second.at >= options.size_interval;
        }
        StatsRows rows = co_await pools.Run(endpoint, [with_sizes](Session& s) { return ReadStats(s, with_sizes); });
        auto entry = std::make_shared<Entry>();
        entry->at = Clock::now();
        {
            const std::lock_guard lock(mutex);
            // WAL written per second since this server's previous snapshot (none for the first).
            auto& mark = wal[server_id];
            const double seconds = std::chrono::duration<double>(entry->at - mark.at).count();
            if (mark.at != Clock::time_point{} && seconds > 0 && rows.wal_bytes >= mark.bytes)
                rows.body["wal"].as_object()["bytes_per_s"] = (rows.wal_bytes - mark.bytes) / seconds;
            mark = {rows.wal_bytes, entry->at};
            // Database sizes from the last size snapshot; a database it does not know makes the next one come now.
            auto& known = sizes[server_id];
            if (rows.sizes) known = {std::move(*rows.sizes), core::NowRfc3339(), entry->at};
            for (auto& db : rows.body["databases"].as_array()) {
                auto& o = db.as_object();
                const auto it = known.bytes.find(std::string(o["name"].as_string()));
                if (it != known.bytes.end()) {
                    o["size_bytes"] = it->second;
                } else {
                    known.at = {};
                }
            }
            rows.body["sizes_collected_at"] =
                known.collected_at.empty() ? json::value(nullptr) : json::value(known.collected_at);
        }
        entry->body = std::move(rows.body);
        entry->body["collected_at"] = core::NowRfc3339();
        entry->body["server_id"] = server_id;
        co_return entry;
    }

    boost::asio::awaitable<EntryPtr> LoadDatabases(const std::string& server_id) {
        const Endpoint endpoint = co_await EndpointFor(server_id, "");
        json::array databases = co_await pools.Run(endpoint, [](Session& s) { return ReadDatabases(s); });
        auto entry = std::make_shared<Entry>();
        entry->at = Clock::now();
        entry->body = {
            {"collected_at", core::NowRfc3339()}, {"server_id", server_id}, {"databases", std::move(databases)}};
        co_return entry;
    }

    boost::asio::awaitable<EntryPtr> LoadDatabaseStats(const std::string& server_id, const std::string& database,
                                                       const StatementsQuery& statements) {
        const Endpoint endpoint = co_await EndpointFor(server_id, database);
        const int table_limit = options.table_limit;
        const StatementsQuery* const q = &statements;
        json::object body = co_await pools.Run(
            endpoint, [q, table_limit](Session& s) { return ReadDatabaseStats(s, *q, table_limit); });
        auto entry = std::make_shared<Entry>();
        entry->at = Clock::now();
        body["collected_at"] = core::NowRfc3339();
        body["server_id"] = server_id;
        entry->body = std::move(body);
        co_return entry;
    }

    /// The activity answer: counts and longest over what the answer may show, sessions narrowed by the filter.
    json::object ActivityBody(const Entry& entry, const ActivityFilter& filter) const {
        const auto& rows = entry.activity;
        std::int64_t total = 0, active = 0, idle = 0, idle_tx = 0, idle_tx_aborted = 0, waiting = 0, blocked = 0;
        double longest_query = 0, longest_xact = 0;
        json::array sessions;
        for (std::size_t i = 0; i < rows.sessions.size(); ++i) {
            if (rows.own[i] && !filter.include_self) continue;
            const auto& s = rows.sessions[i].as_object();
            const auto& state = s.at("state");
            const std::string_view st = state.is_string() ? std::string_view(state.as_string()) : "";
            ++total;
            if (st == "active") ++active;
            if (st == "idle") ++idle;
            if (st == "idle_in_transaction") ++idle_tx;
            if (st == "idle_in_transaction_aborted") ++idle_tx_aborted;
            if (st == "active" && s.at("wait_event_type").is_string()) ++waiting;
            if (!s.at("blocked_by").as_array().empty()) ++blocked;
            if (st == "active") longest_query = std::max(longest_query, NumberOr(s.if_contains("duration_ms"), 0));
            longest_xact = std::max(longest_xact, NumberOr(s.if_contains("xact_duration_ms"), 0));
            if (Matches(s, filter)) sessions.push_back(s);
        }
        json::object body = entry.body;
        body["max_connections"] = rows.max_connections;
        body["counts"] = json::object{{"total", total},
                                      {"active", active},
                                      {"idle", idle},
                                      {"idle_in_transaction", idle_tx},
                                      {"idle_in_transaction_aborted", idle_tx_aborted},
                                      {"waiting", waiting},
                                      {"blocked", blocked}};
        body["longest"] = json::object{{"query_ms", longest_query}, {"xact_ms", longest_xact}};
        body["sessions"] = std::move(sessions);
        return body;
    }

    /// One server's series from its cached (or newly read) stats and activity; a failure is pg_up 0 with its kind.
    boost::asio::awaitable<void> ExportOne(Exposition& out, const std::string& server_id, const std::string& labels) {
        EntryPtr stats, activity;
        std::string failure;
        try {
            auto load_stats = [this, &server_id] { return LoadStats(server_id); };
            stats = (co_await Cached(server_id + "|stats", options.stats_ttl, false, load_stats)).first;
            auto load_activity = [this, &server_id] { return LoadActivity(server_id); };
            activity = (co_await Cached(server_id + "|activity", options.activity_ttl, false, load_activity)).first;
        } catch (const core::Error& error) {
            failure = error.kind().empty() ? "unavailable" : error.kind();
            stats.reset();
        }
        ExportServer(out, labels, stats ? &stats->body : nullptr, activity ? &activity->activity : nullptr, failure);
    }

    void Forget(const std::string& server_id) {
        {
            const std::lock_guard lock(mutex);
            for (auto it = cache.begin(); it != cache.end();) {
                it = it->first.rfind(server_id + "|", 0) == 0 ? cache.erase(it) : std::next(it);
            }
            wal.erase(server_id);
            sizes.erase(server_id);
        }
        pools.Forget(server_id);
    }
};

MonitorService::MonitorService(fleet::FleetService& fleet, ConnectionPools& pools, MonitorOptions options)
    : impl_(std::make_shared<Impl>(fleet, pools, options)) {}

MonitorService::~MonitorService() = default;

boost::asio::awaitable<Snapshot> MonitorService::Activity(std::string server_id, ActivityFilter filter, bool fresh) {
    Impl& impl = *impl_;
    const std::string key = server_id + "|activity";
    auto load = [&impl, &server_id] { return impl.LoadActivity(server_id); };
    auto [entry, hit] = co_await impl.Cached(key, impl.options.activity_ttl, fresh, load);
    co_return Snapshot{impl.ActivityBody(*entry, filter), hit};
}

boost::asio::awaitable<Snapshot> MonitorService::Stats(std::string server_id, bool fresh) {
    Impl& impl = *impl_;
    const std::string key = server_id + "|stats";
    auto load = [&impl, &server_id] { return impl.LoadStats(server_id); };
    auto [entry, hit] = co_await impl.Cached(key, impl.options.stats_ttl, fresh, load);
    co_return Snapshot{entry->body, hit};
}

boost::asio::awaitable<Snapshot> MonitorService::Databases(std::string server_id, bool fresh) {
    Impl& impl = *impl_;
    const std::string key = server_id + "|databases";
    auto load = [&impl, &server_id] { return impl.LoadDatabases(server_id); };
    auto [entry, hit] = co_await impl.Cached(key, impl.options.stats_ttl, fresh, load);
    co_return Snapshot{entry->body, hit};
}

boost::asio::awaitable<Snapshot> MonitorService::DatabaseStats(std::string server_id, std::string database,
                                                               StatementsQuery statements, bool fresh) {
    Impl& impl = *impl_;
    const std::string key = server_id + "|db|" + database + "|" + std::to_string(statements.top) + "|" +
                            statements.order + "|" + (statements.text ? "text" : "");
    auto load = [&impl, &server_id, &database, &statements] {
        return impl.LoadDatabaseStats(server_id, database, statements);
    };
    auto [entry, hit] = co_await impl.Cached(key, impl.options.stats_ttl, fresh, load);
    co_return Snapshot{entry->body, hit};
}

boost::asio::awaitable<SignalResult> MonitorService::Signal(std::string server_id, int pid, bool terminate) {
    Impl& impl = *impl_;
    const Endpoint endpoint = co_await impl.EndpointFor(server_id, "");
    SignalResult result = co_await impl.pools.Run(endpoint, [pid, terminate](Session& s) {
        auto backend = ReadBackend(s, pid);
        if (!backend) throw core::Error(core::errc::not_found, "no PostgreSQL session has pid " + std::to_string(pid));
        if (backend->own)
            throw core::Error(core::errc::conflict,
                              "pid " + std::to_string(pid) + " is one of gatehouse's own monitoring sessions");
        SignalResult r;
        r.pid = pid;
        r.backend = std::move(*backend);
        r.signalled = SignalBackend(s, pid, terminate);
        return r;
    });
    {
        // The next activity snapshot shows what the signal did.
        const std::lock_guard lock(impl.mutex);
        impl.cache.erase(server_id + "|activity");
    }
    co_return result;
}

boost::asio::awaitable<std::string> MonitorService::Metrics(std::string server_id) {
    Impl& impl = *impl_;
    // An endpoint that is not there is the caller's mistake (409, 404); one that does not answer is pg_up 0.
    const auto access = co_await impl.fleet.PostgresAccessFor(server_id);
    EndpointOf(access, "");
    Exposition out;
    co_await impl.ExportOne(out, server_id, "");
    co_return out.Render();
}

boost::asio::awaitable<std::vector<fleet::ServerView>> MonitorService::MonitoredServers() {
    std::vector<fleet::ServerView> servers;
    std::string cursor;
    while (true) {
        auto page = co_await impl_->fleet.ListServers(500, cursor);
        for (auto& server : page.items)
            if (server.postgres) servers.push_back(std::move(server));
        if (!page.next_cursor) break;
        cursor = *page.next_cursor;
    }
    co_return servers;
}

boost::asio::awaitable<Exposition> MonitorService::Export(std::string server_id) {
    Exposition out;
    co_await impl_->ExportOne(out, server_id, "");
    co_return out;
}

boost::asio::awaitable<std::string> MonitorService::AllMetrics() {
    Impl& impl = *impl_;
    const auto servers = co_await MonitoredServers();
    Exposition out;
    for (const auto& server : servers) {
        const std::string labels = "server=\"" + metrics::LabelValue(server.id) + "\",server_name=\"" +
                                   metrics::LabelValue(server.name) + "\"";
        co_await impl.ExportOne(out, server.id, labels);
    }
    co_return out.Render();
}

std::vector<PoolRow> MonitorService::Pools() const { return impl_->pools.Rows(); }

void MonitorService::Forget(const std::string& server_id) { impl_->Forget(server_id); }

}  // namespace gatehouse::pgmon
