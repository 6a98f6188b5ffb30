#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "store/database.hpp"

namespace gatehouse::store::detail {

/// Lends up to `size` connections, one borrower each; creates them on demand with `factory` and
/// blocks callers while all are lent out. Thread-safe.
template <class T>
class Pool {
  public:
    using Factory = std::function<std::unique_ptr<T>()>;

    Pool(std::size_t size, Factory factory, std::chrono::milliseconds acquire_timeout = std::chrono::milliseconds(5000))
        : size_(size == 0 ? 1 : size), factory_(std::move(factory)), acquire_timeout_(acquire_timeout) {}
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;

    /// Gives the connection back on destruction.
    class Lease {
      public:
        Lease(Pool& pool, std::unique_ptr<T> conn) : pool_(&pool), conn_(std::move(conn)) {}
        Lease(Lease&& other) noexcept : pool_(other.pool_), conn_(std::move(other.conn_)) {}
        Lease& operator=(Lease&&) = delete;
        ~Lease() {
            if (conn_) pool_->Release(std::move(conn_));
        }
        T& operator*() const noexcept { return *conn_; }
        T* operator->() const noexcept { return conn_.get(); }

      private:
        Pool* pool_;
        std::unique_ptr<T> conn_;
    };

    /// Creates connections until `n` exist, so that open fails fast on a bad configuration.
    void Prefill(std::size_t n) {
        std::vector<std::unique_ptr<T>> created;
        for (std::size_t i = 0; i < n && i < size_; ++i) created.push_back(factory_());
        std::lock_guard lock(mutex_);
        for (auto& c : created) {
            idle_.push_back(std::move(c));
            ++created_;
        }
    }

    /// Throws core::Error(unavailable) when no connection came free within the acquire timeout.
    Lease Acquire() {
        std::unique_lock lock(mutex_);
        if (idle_.empty() && created_ >= size_) {
            const auto start = std::chrono::steady_clock::now();
            ++waiting_;
            const bool got =
                cv_.wait_for(lock, acquire_timeout_, [this] { return !idle_.empty() || created_ < size_; });
            --waiting_;
            wait_seconds_total_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            if (!got)
                throw core::Error(
                    core::errc::unavailable, "the database is busy, try again",
                    "no database connection came free within " + std::to_string(acquire_timeout_.count()) + " ms");
        }
        ++in_use_;
        if (!idle_.empty()) {
            std::unique_ptr<T> conn = std::move(idle_.back());
            idle_.pop_back();
            return Lease(*this, std::move(conn));
        }
        // Connect outside the lock: it may take seconds and others can still borrow idle ones.
        ++created_;
        lock.unlock();
        try {
            return Lease(*this, factory_());
        } catch (...) {
            lock.lock();
            --created_;
            --in_use_;
            cv_.notify_one();
            throw;
        }
    }

    PoolStats Stats() const {
        std::lock_guard lock(mutex_);
        return PoolStats{size_, in_use_, waiting_, wait_seconds_total_};
    }

  private:
    void Release(std::unique_ptr<T> conn) {
        {
            std::lock_guard lock(mutex_);
            idle_.push_back(std::move(conn));
            --in_use_;
        }
        cv_.notify_one();
    }

    const std::size_t size_;
    Factory factory_;
    const std::chrono::milliseconds acquire_timeout_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<std::unique_ptr<T>> idle_;
    std::size_t created_ = 0;
    std::size_t in_use_ = 0;
    std::size_t waiting_ = 0;
    double wait_seconds_total_ = 0;
};

/// Runs `fn` between BEGIN and COMMIT; on any exception rolls back (best effort) and rethrows.
void RunTransaction(Connection& conn, std::string_view begin, const std::function<void(Connection&)>& fn);

}  // namespace gatehouse::store::detail
