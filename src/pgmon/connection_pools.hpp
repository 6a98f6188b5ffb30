#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "core/worker_pool.hpp"
#include "pgmon/pg_session.hpp"
#include "pgmon/pgmon_types.hpp"
#include "ssh/ssh_client.hpp"

namespace gatehouse::pgmon {

/// libpq connection pools, one per monitored endpoint, database and class. Every session is read-only with
/// application_name gatehouse-monitor and the configured statement and lock timeouts; a connection is checked for
/// pg_monitor when it opens. A failed connect makes the pool answer the same failure without trying again until a
/// backoff has passed (doubling up to PoolOptions::backoff_max). All libpq (and SSH forward) work runs on
/// `workers`. Thread-safe.
class ConnectionPools {
  public:
    ConnectionPools(core::WorkerPool& workers, ssh::SshClient& ssh, PoolOptions options);
    ~ConnectionPools();
    ConnectionPools(const ConnectionPools&) = delete;
    ConnectionPools& operator=(const ConnectionPools&) = delete;

    /// Runs `work(Session&)` on a worker thread with a pooled connection to `endpoint` and returns what it returns.
    /// Throws the Failure of a connection that cannot be made, or of a statement that failed, and
    /// core::Error(unavailable) when every connection of the pool stayed busy for acquire_timeout.
    template <class F>
    boost::asio::awaitable<std::invoke_result_t<F&, Session&>> Run(const Endpoint& endpoint, F work);

    std::vector<PoolRow> Rows() const;
    /// Closes connections idle longer than idle_timeout (keeping each pool's minimum) and forgets empty pools of
    /// endpoints unused that long (scheduler job).
    void CloseIdle();
    /// Closes every pool of a server (its endpoint changed or it was deleted).
    void Forget(const std::string& server_id);

    struct Pool;
    /// Blocking halves of Run, on a worker thread.
    PooledConn* Acquire(Pool& pool, const Endpoint& endpoint);
    void Release(Pool& pool, PooledConn* conn);

  private:
    std::shared_ptr<Pool> PoolFor(const Endpoint& endpoint);
    PooledConn* Connect(Pool& pool, const Endpoint& endpoint);

    core::WorkerPool& workers_;
    ssh::SshClient& ssh_;
    const PoolOptions options_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::shared_ptr<Pool>> pools_;  // guarded by mutex_
};

template <class F>
boost::asio::awaitable<std::invoke_result_t<F&, Session&>> ConnectionPools::Run(const Endpoint& endpoint, F work) {
    // The pool lives in this frame until the worker is done; the job captures plain pointers (GCC 12 miscompiles
    // non-trivial captures of a lambda passed into co_await).
    const std::shared_ptr<Pool> pool = PoolFor(endpoint);
    Pool* const p = pool.get();
    const Endpoint* const e = &endpoint;
    ConnectionPools* const self = this;
    F* const w = &work;
    auto job = [self, p, e, w] {
        struct Lease {
            ConnectionPools& pools;
            Pool& pool;
            PooledConn* conn;
            ~Lease() { pools.Release(pool, conn); }
        } lease{*self, *p, self->Acquire(*p, *e)};
        Session session(*lease.conn);
        return (*w)(session);
    };
    auto result = co_await core::Offload(workers_, job);
    co_return result;
}

}  // namespace gatehouse::pgmon
