#pragma once

#include <chrono>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace gatehouse::auth {

/// Attempts per key in fixed windows, in memory (per instance). Thread-safe.
class RateLimiter {
  public:
    using Clock = std::chrono::steady_clock;
    RateLimiter(int max_attempts, std::chrono::seconds window);

    /// Counts one attempt against every key. When any key is already at its limit, nothing is
    /// counted and the seconds until that key's window ends are returned.
    std::optional<int> Hit(std::initializer_list<std::string_view> keys, Clock::time_point now = Clock::now());

  private:
    struct Window {
        Clock::time_point start;
        int count = 0;
    };
    void Sweep(Clock::time_point now);

    int max_attempts_;
    std::chrono::seconds window_;
    std::mutex mutex_;
    std::unordered_map<std::string, Window> windows_;
};

}  // namespace gatehouse::auth
