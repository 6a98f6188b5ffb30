#pragma once

#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace gatehouse::auth {

/// Attempts per key in fixed windows, in memory (per instance). Thread-safe. The key map is bounded: past
/// `max_keys` the finished windows are dropped, and if that is not enough, the oldest half, so a spray of
/// addresses or names cannot grow memory without limit.
class RateLimiter {
  public:
    using Clock = std::chrono::steady_clock;
    RateLimiter(int max_attempts, std::chrono::seconds window, std::size_t max_keys = 100000);

    /// Seconds until the most limited of `keys` may be used again, or nullopt when none is at its limit.
    std::optional<int> Blocked(std::initializer_list<std::string_view> keys, Clock::time_point now = Clock::now());
    /// Counts one attempt against every key.
    void Count(std::initializer_list<std::string_view> keys, Clock::time_point now = Clock::now());
    /// Blocked, else Count, in one step.
    std::optional<int> Hit(std::initializer_list<std::string_view> keys, Clock::time_point now = Clock::now());

    std::size_t size() const;

  private:
    struct Window {
        Clock::time_point start;
        int count = 0;
    };
    std::optional<int> BlockedLocked(std::initializer_list<std::string_view> keys, Clock::time_point now) const;
    void CountLocked(std::initializer_list<std::string_view> keys, Clock::time_point now);
    void Bound(Clock::time_point now);

    int max_attempts_;
    std::chrono::seconds window_;
    std::size_t max_keys_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Window> windows_;
};

}  // namespace gatehouse::auth
