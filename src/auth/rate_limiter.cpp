#include "auth/rate_limiter.hpp"

#include <algorithm>
#include <vector>

namespace gatehouse::auth {

RateLimiter::RateLimiter(int max_attempts, std::chrono::seconds window, std::size_t max_keys)
    : max_attempts_(max_attempts), window_(window), max_keys_(std::max<std::size_t>(max_keys, 2)) {}

std::optional<int> RateLimiter::BlockedLocked(std::initializer_list<std::string_view> keys,
                                              Clock::time_point now) const {
    int wait = 0;
    for (auto key : keys) {
        const auto it = windows_.find(std::string(key));
        if (it == windows_.end() || now - it->second.start >= window_) continue;
        if (it->second.count >= max_attempts_) {
            const auto left = std::chrono::duration_cast<std::chrono::seconds>(it->second.start + window_ - now);
            wait = std::max(wait, static_cast<int>(left.count()) + 1);
        }
    }
    if (wait > 0) return wait;
    return std::nullopt;
}

void RateLimiter::CountLocked(std::initializer_list<std::string_view> keys, Clock::time_point now) {
    if (windows_.size() + keys.size() > max_keys_) Bound(now);
    for (auto key : keys) {
        auto& window = windows_[std::string(key)];
        if (window.count == 0 || now - window.start >= window_) window = Window{now, 0};
        ++window.count;
    }
}

std::optional<int> RateLimiter::Blocked(std::initializer_list<std::string_view> keys, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    return BlockedLocked(keys, now);
}

void RateLimiter::Count(std::initializer_list<std::string_view> keys, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    CountLocked(keys, now);
}

std::optional<int> RateLimiter::Hit(std::initializer_list<std::string_view> keys, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    if (auto wait = BlockedLocked(keys, now)) return wait;
    CountLocked(keys, now);
    return std::nullopt;
}

std::size_t RateLimiter::size() const {
    std::lock_guard lock(mutex_);
    return windows_.size();
}

void RateLimiter::Bound(Clock::time_point now) {
    std::erase_if(windows_, [&](const auto& entry) { return now - entry.second.start >= window_; });
    if (windows_.size() < max_keys_ / 2) return;
    // Still full of live windows: keep the newer half. The oldest are the nearest to their end anyway.
    std::vector<Clock::time_point> starts;
    starts.reserve(windows_.size());
    for (const auto& [key, window] : windows_) starts.push_back(window.start);
    auto middle = starts.begin() + static_cast<std::ptrdiff_t>(starts.size() / 2);
    std::nth_element(starts.begin(), middle, starts.end());
    const auto cutoff = *middle;
    std::erase_if(windows_, [&](const auto& entry) { return entry.second.start < cutoff; });
    // Windows that all started at once: drop half of them, whichever.
    for (auto it = windows_.begin(); windows_.size() >= max_keys_ / 2 && it != windows_.end();) it = windows_.erase(it);
}

}  // namespace gatehouse::auth
