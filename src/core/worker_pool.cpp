#include "core/worker_pool.hpp"

namespace gatehouse::core {

WorkerPool::WorkerPool(std::string name, std::size_t threads, std::size_t max_queued)
    : name_(std::move(name)), threads_(threads == 0 ? 1 : threads), max_queued_(max_queued), pool_(1) {}

WorkerPool::~WorkerPool() { Join(); }

void WorkerPool::Join() {
    // Waits for the work, stops the pool (attached threads return from attach()), then joins them.
    pool_.join();
    std::lock_guard lock(spawn_mutex_);
    for (auto& thread : extra_)
        if (thread.joinable()) thread.join();
    extra_.clear();
}

void WorkerPool::Admit() {
    // Counted from admission to finish, so the limit does not depend on how fast threads pick jobs up.
    if (queued_.fetch_add(1, std::memory_order_relaxed) >= threads_ + max_queued_) {
        queued_.fetch_sub(1, std::memory_order_relaxed);
        Error busy(errc::unavailable, "the server is busy, try again", "worker pool '" + name_ + "' queue is full");
        busy.RetryAfter(1);
        throw busy;
    }
    // One more thread while the work admitted outnumbers the threads, up to the limit.
    const auto outstanding = queued_.load(std::memory_order_relaxed);
    if (started_.load(std::memory_order_relaxed) >= std::min(outstanding, threads_)) return;
    std::lock_guard lock(spawn_mutex_);
    if (started_.load(std::memory_order_relaxed) >= std::min(outstanding, threads_)) return;
    extra_.emplace_back([this] { pool_.attach(); });
    started_.fetch_add(1, std::memory_order_relaxed);
}

void WorkerPool::Start() noexcept { busy_.fetch_add(1, std::memory_order_relaxed); }

void WorkerPool::Finish() noexcept {
    completed_.fetch_add(1, std::memory_order_relaxed);
    busy_.fetch_sub(1, std::memory_order_relaxed);
    queued_.fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace gatehouse::core
