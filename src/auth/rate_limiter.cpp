#include "auth/rate_limiter.hpp"

#include <algorithm>

namespace gatehouse::auth {

RateLimiter::RateLimiter(int max_attempts, std::chrono::seconds window)
    : max_attempts_(max_attempts), window_(window) {}

std::optional<int> RateLimiter::Hit(std::initializer_list<std::string_view> keys, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    if (windows_.size() > 100000) Sweep(now);  // bounded memory under a spray of addresses
    int wait = 0;
    for (auto key : keys) {
        auto it = windows_.find(std::string(key));
        if (it == windows_.end() || now - it->second.start >= window_) continue;
        if (it->second.count >= max_attempts_) {
            const auto left = std::chrono::duration_cast<std::chrono::seconds>(it->second.start + window_ - now);
            wait = std::max(wait, static_cast<int>(left.count()) + 1);
        }
    }
    if (wait > 0) return wait;
    for (auto key : keys) {
        auto& window = windows_[std::string(key)];
        if (window.count == 0 || now - window.start >= window_) window = Window{now, 0};
        ++window.count;
    }
    return std::nullopt;
}

void RateLimiter::Sweep(Clock::time_point now) {
    std::erase_if(windows_, [&](const auto& entry) { return now - entry.second.start >= window_; });
}

}  // namespace gatehouse::auth
