#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/errc.hpp"

namespace gatehouse::core {

/// Up to `threads` threads for blocking work (SQLite, libpq, libssh, argon2). The queue is
/// bounded: with `threads` jobs running and `max_queued` waiting, Offload fails with
/// errc::unavailable instead of letting latency and memory grow without limit. Threads start as work
/// asks for them (one at first), so an idle server does not hold a hundred sleeping stacks.
class WorkerPool {
  public:
    WorkerPool(std::string name, std::size_t threads, std::size_t max_queued);
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    boost::asio::thread_pool::executor_type executor() { return pool_.get_executor(); }
    const std::string& name() const noexcept { return name_; }
    std::size_t threads() const noexcept { return threads_; }
    std::size_t busy() const noexcept { return busy_.load(std::memory_order_relaxed); }
    /// Jobs run to their end since start (a counter: how much work the pool did).
    std::uint64_t completed() const noexcept { return completed_.load(std::memory_order_relaxed); }
    std::size_t queued() const noexcept {
        const auto outstanding = queued_.load(std::memory_order_relaxed);
        const auto running = busy_.load(std::memory_order_relaxed);
        return outstanding > running ? outstanding - running : 0;
    }

    /// Waits for queued work to finish and joins the threads. Safe to call twice.
    void Join();

    // Bookkeeping used by Offload; not for direct use.
    void Admit();
    void Start() noexcept;
    void Finish() noexcept;

  private:
    std::string name_;
    std::size_t threads_;
    std::size_t max_queued_;
    boost::asio::thread_pool pool_;
    std::mutex spawn_mutex_;
    std::vector<std::thread> extra_;  // attached to pool_ as work grew
    std::atomic<std::size_t> started_{1};
    std::atomic<std::size_t> queued_{0};  // admitted and not finished: waiting or running
    std::atomic<std::size_t> busy_{0};
    std::atomic<std::uint64_t> completed_{0};
};

/// Runs `fn` on `pool` and resumes the calling coroutine on its own executor with the result,
/// or rethrows what `fn` threw. Throws core::Error(errc::unavailable) when the pool is saturated.
/// Call from a coroutine running on an I/O executor.
template <class F>
boost::asio::awaitable<std::invoke_result_t<F&>> Offload(WorkerPool& pool, F fn) {
    using R = std::invoke_result_t<F&>;
    pool.Admit();
    struct Guard {
        WorkerPool& pool;
        explicit Guard(WorkerPool& p) : pool(p) { pool.Start(); }
        ~Guard() { pool.Finish(); }
    };
    if constexpr (std::is_void_v<R>) {
        co_await boost::asio::co_spawn(
            pool.executor(),
            [&pool, fn = std::move(fn)]() mutable -> boost::asio::awaitable<void> {
                Guard guard(pool);
                fn();
                co_return;
            },
            boost::asio::use_awaitable);
    } else {
        // co_spawn needs a default-constructible result; std::optional makes any R qualify.
        std::optional<R> result = co_await boost::asio::co_spawn(
            pool.executor(),
            [&pool, fn = std::move(fn)]() mutable -> boost::asio::awaitable<std::optional<R>> {
                Guard guard(pool);
                co_return std::optional<R>(fn());
            },
            boost::asio::use_awaitable);
        co_return std::move(*result);
    }
}

}  // namespace gatehouse::core
