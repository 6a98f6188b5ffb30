#include "pgmon/connection_pools.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <tuple>

#include "core/ids.hpp"
#include "core/log.hpp"
#include "pgmon/failure.hpp"

namespace gatehouse::pgmon {
namespace {

using Clock = std::chrono::steady_clock;

struct IdleConn {
    PooledConn* conn;
    Clock::time_point since;
};

void Close(PooledConn* conn) {
    PQfinish(conn->pg);
    delete conn;
}

// Connections are shared only between calls that would connect identically: a changed password, host or tunnel
// gets a pool of its own. Secrets enter the key only hashed.
std::string PoolKey(const Endpoint& e) {
    std::string material;
    for (const std::string_view part : {std::string_view(e.host), std::string_view(e.user),
                                        std::string_view(e.password), std::string_view(e.sslmode)}) {
        material.append(part).push_back('\0');
    }
    material.append(std::to_string(e.port)).push_back('\0');
    if (e.ssh) {
        material.append(e.ssh->host).push_back('\0');
        material.append(std::to_string(e.ssh->port)).push_back('\0');
        material.append(e.ssh->user).push_back('\0');
        material.append(e.ssh->password).push_back('\0');
        material.append(e.ssh->private_key).push_back('\0');
        material.append(e.ssh->expected_host_key).push_back('\0');
    }
    return e.server_id + '\0' + e.database + '\0' + e.pool_class + '\0' + core::Sha256Hex(material);
}

PoolLimits LimitsFor(const PoolOptions& o, const std::string& pool_class) {
    PoolLimits limits = o.default_class;
    if (pool_class == "stats_db") limits = o.stats_db;
    if (pool_class == "high_load") limits = o.high_load;
    limits.max = std::max(1, limits.max);
    limits.min = std::clamp(limits.min, 0, limits.max);  // a minimum above the maximum is the maximum
    return limits;
}

}  // namespace

struct ConnectionPools::Pool {
    std::string server_id;
    std::string database;
    std::string pool_class;
    PoolLimits limits;

    std::mutex mutex;
    std::condition_variable freed;
    std::deque<IdleConn> idle;  // most recently used at the back
    int open = 0;               // connections that exist or are being made: in use + idle + connecting
    int in_use = 0;
    int waiting = 0;
    std::uint64_t created_total = 0;
    std::uint64_t errors_total = 0;
    int failures = 0;  // connects failed in a row
    Clock::time_point retry_at{};
    std::optional<core::Error> last_failure;
    Clock::time_point last_used = Clock::now();
    std::shared_ptr<ssh::Forward> forward;  // via_ssh; guarded by mutex

    ~Pool() {
        for (auto& conn : idle) Close(conn.conn);
    }
};

ConnectionPools::ConnectionPools(core::WorkerPool& workers, ssh::SshClient& ssh, PoolOptions options)
    : workers_(workers), ssh_(ssh), options_(options) {}

ConnectionPools::~ConnectionPools() = default;

std::shared_ptr<ConnectionPools::Pool> ConnectionPools::PoolFor(const Endpoint& endpoint) {
    const std::string key = PoolKey(endpoint);
    const std::lock_guard lock(mutex_);
    auto& slot = pools_[key];
    if (!slot) {
        slot = std::make_shared<Pool>();
        slot->server_id = endpoint.server_id;
        slot->database = endpoint.database;
        slot->pool_class = endpoint.pool_class;
        slot->limits = LimitsFor(options_, endpoint.pool_class);
    }
    return slot;
}

PooledConn* ConnectionPools::Connect(Pool& pool, const Endpoint& e) {
    std::string host = e.host;
    std::string sslmode = e.sslmode;
    std::shared_ptr<ssh::Forward> forward;
    if (e.ssh) {
        {
            const std::lock_guard lock(pool.mutex);
            forward = pool.forward;
        }
        if (!forward || !forward->alive()) {
            try {
                forward = ssh_.OpenForwardBlocking(*e.ssh, e.host, static_cast<std::uint16_t>(e.port));
            } catch (const ssh::SshError& error) {
                throw Failure(FailureKind::tunnel_failed,
                              std::string("the SSH tunnel to the server could not be opened: ") + error.what());
            }
            const std::lock_guard lock(pool.mutex);
            pool.forward = forward;
        }
        host = forward->socket_dir();
        // The SSH channel is the encryption; libpq does not use TLS over a Unix socket.
        sslmode = "disable";
    }
    const std::string port = std::to_string(e.port);
    const std::string connect_timeout = std::to_string(std::max<long long>(1, options_.connect_timeout.count()));
    const std::string session_options = "-c statement_timeout=" + std::to_string(options_.statement_timeout_ms) +
                                        " -c lock_timeout=" + std::to_string(options_.lock_timeout_ms) +
                                        " -c default_transaction_read_only=on";
    const std::string application_name(kApplicationName);
    const char* keys[] = {"host",
                          "port",
                          "user",
                          "password",
                          "dbname",
                          "sslmode",
                          "connect_timeout",
                          "application_name",
                          "options",
                          "keepalives",
                          "keepalives_idle",
                          "keepalives_interval",
                          "keepalives_count",
                          "client_encoding",
                          nullptr};
    const char* values[] = {host.c_str(),
                            port.c_str(),
                            e.user.c_str(),
                            e.password.empty() ? nullptr : e.password.c_str(),
                            e.database.c_str(),
                            sslmode.c_str(),
                            connect_timeout.c_str(),
                            application_name.c_str(),
                            session_options.c_str(),
                            "1",
                            "30",
                            "10",
                            "3",
                            "UTF8",
                            nullptr};
    PGconn* conn = PQconnectdbParams(keys, values, 0);
    if (conn == nullptr) throw Failure(FailureKind::unreachable, "libpq could not allocate a connection");
    if (PQstatus(conn) != CONNECTION_OK) {
        const std::string message = CleanMessage(PQerrorMessage(conn));
        PQfinish(conn);
        if (forward && !forward->last_error().empty())
            throw Failure(FailureKind::tunnel_failed,
                          "the SSH tunnel could not reach PostgreSQL: " + forward->last_error());
        if (forward && !forward->alive())
            throw Failure(FailureKind::tunnel_failed, "the SSH tunnel closed: " + message);
        // The server refuses a login to a database it does not have: that is the caller's 404, not a failure.
        if (message.find("database \"" + e.database + "\" does not exist") != std::string::npos)
            throw core::Error(core::errc::not_found, "PostgreSQL on this server has no database " + e.database);
        const auto kind = ClassifyConnectFailure(message);
        const std::string where =
            e.user + "@" + (e.ssh ? "(via ssh) " + e.host : e.host) + ":" + port + "/" + e.database;
        throw Failure(kind, std::string(kind == FailureKind::auth_failed ? "PostgreSQL refused the login of "
                                        : kind == FailureKind::timeout   ? "connecting timed out to "
                                                                         : "cannot connect to ") +
                                where + ": " + message);
    }
    // Reading other sessions' queries and every statistic needs pg_monitor; without it PostgreSQL answers with
    // "<insufficient privilege>" instead of failing, so it is checked up front.
    auto pooled = std::make_unique<PooledConn>();
    pooled->pg = conn;
    try {
        Session session(*pooled);
        const auto result = session.Query(
            "SELECT r.rolsuper OR pg_has_role(current_user, 'pg_monitor', 'MEMBER') FROM pg_roles r "
            "WHERE r.rolname = current_user");
        const pgmon::Rows rows(result.get());
        if (rows.size() != 1 || !rows.Bool(0, 0).value_or(false))
            throw Failure(FailureKind::insufficient_privilege, "the role " + e.user +
                                                                   " is not a member of pg_monitor: grant it with "
                                                                   "GRANT pg_monitor TO " +
                                                                   e.user);
    } catch (...) {
        PQfinish(conn);
        throw;
    }
    return pooled.release();
}

PooledConn* ConnectionPools::Acquire(Pool& pool, const Endpoint& endpoint) {
    std::unique_lock lock(pool.mutex);
    pool.last_used = Clock::now();
    const auto deadline = Clock::now() + options_.acquire_timeout;
    while (true) {
        if (!pool.idle.empty()) {
            PooledConn* conn = pool.idle.back().conn;
            pool.idle.pop_back();
            ++pool.in_use;
            return conn;
        }
        if (pool.open < pool.limits.max) {
            const auto now = Clock::now();
            if (pool.last_failure && now < pool.retry_at) {
                core::Error error = *pool.last_failure;
                error.RetryAfter(static_cast<int>(
                    std::chrono::duration_cast<std::chrono::seconds>(pool.retry_at - now).count() + 1));
                throw error;
            }
            ++pool.open;
            ++pool.in_use;
            lock.unlock();
            try {
                PooledConn* conn = Connect(pool, endpoint);
                lock.lock();
                ++pool.created_total;
                pool.failures = 0;
                pool.last_failure.reset();
                return conn;
            } catch (const core::Error& error) {
                lock.lock();
                --pool.open;
                --pool.in_use;
                ++pool.errors_total;
                ++pool.failures;
                const std::chrono::milliseconds backoff = std::min<std::chrono::milliseconds>(
                    options_.backoff_max, options_.backoff_base * (1LL << std::min(pool.failures - 1, 16)));
                pool.retry_at = Clock::now() + backoff;
                pool.last_failure = error;
                pool.freed.notify_one();
                throw;
            }
        }
        ++pool.waiting;
        const bool freed = pool.freed.wait_until(lock, deadline) == std::cv_status::no_timeout;
        --pool.waiting;
        if (!freed && Clock::now() >= deadline)
            throw core::Error(core::errc::unavailable, "all " + std::to_string(pool.limits.max) +
                                                           " monitoring connections to this server are busy; try again")
                .RetryAfter(1);
    }
}

void ConnectionPools::Release(Pool& pool, PooledConn* conn) {
    // A connection goes back only when it is healthy, out of pipeline mode and outside any transaction, so nothing
    // a failed query started (a transaction, a lock) can outlive the call.
    const bool reusable = PQstatus(conn->pg) == CONNECTION_OK && PQtransactionStatus(conn->pg) == PQTRANS_IDLE &&
                          PQpipelineStatus(conn->pg) == PQ_PIPELINE_OFF;
    if (!reusable) Close(conn);
    const std::lock_guard lock(pool.mutex);
    --pool.in_use;
    if (reusable) {
        pool.idle.push_back({conn, Clock::now()});
    } else {
        --pool.open;
        ++pool.errors_total;
    }
    pool.last_used = Clock::now();
    pool.freed.notify_one();
}

std::vector<PoolRow> ConnectionPools::Rows() const {
    std::vector<PoolRow> rows;
    const std::lock_guard lock(mutex_);
    for (const auto& [key, pool] : pools_) {
        const std::lock_guard pool_lock(pool->mutex);
        rows.push_back({pool->server_id, pool->database, pool->pool_class, pool->open, pool->in_use,
                        static_cast<int>(pool->idle.size()), pool->waiting, pool->created_total, pool->errors_total});
    }
    std::sort(rows.begin(), rows.end(), [](const PoolRow& a, const PoolRow& b) {
        return std::tie(a.server_id, a.database, a.pool_class) < std::tie(b.server_id, b.database, b.pool_class);
    });
    return rows;
}

void ConnectionPools::CloseIdle() {
    std::vector<PooledConn*> stale;
    // Destroyed after the locks are released: a forward joins its thread.
    std::vector<std::shared_ptr<Pool>> gone;
    std::vector<std::shared_ptr<ssh::Forward>> closed_forwards;
    {
        const std::lock_guard lock(mutex_);
        const auto now = Clock::now();
        for (auto it = pools_.begin(); it != pools_.end();) {
            auto& pool = *it->second;
            bool drop = false;
            {
                const std::lock_guard pool_lock(pool.mutex);
                // Oldest first: the front has waited longest.
                while (!pool.idle.empty() && pool.open > pool.limits.min &&
                       now - pool.idle.front().since >= options_.idle_timeout) {
                    stale.push_back(pool.idle.front().conn);
                    pool.idle.pop_front();
                    --pool.open;
                }
                if (pool.open == pool.in_use && pool.in_use == 0 && now - pool.last_used >= options_.idle_timeout) {
                    for (auto& idle : pool.idle) stale.push_back(idle.conn);
                    pool.idle.clear();
                    drop = true;
                }
                if (pool.open == 0 && pool.forward) closed_forwards.push_back(std::move(pool.forward));
            }
            if (drop) {
                gone.push_back(it->second);
                it = pools_.erase(it);
            } else {
                ++it;
            }
        }
    }
    for (PooledConn* conn : stale) Close(conn);
}

void ConnectionPools::Forget(const std::string& server_id) {
    std::vector<std::shared_ptr<Pool>> gone;  // connections still in use close with their pool when released
    {
        const std::lock_guard lock(mutex_);
        for (auto it = pools_.begin(); it != pools_.end();) {
            if (it->second->server_id != server_id) {
                ++it;
                continue;
            }
            gone.push_back(it->second);
            it = pools_.erase(it);
        }
    }
}

}  // namespace gatehouse::pgmon
