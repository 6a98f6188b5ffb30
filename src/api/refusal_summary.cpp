#include "api/refusal_summary.hpp"

#include <vector>

namespace gatehouse::api {

RefusalSummary::RefusalSummary(audit::AuditLog& audit, std::chrono::seconds window, std::size_t max_keys)
    : audit_(audit), window_(window), max_keys_(max_keys) {}

bool RefusalSummary::First(const std::string& address, const http::Route& route, unsigned status,
                           Clock::time_point now) {
    std::vector<Window> over;
    bool first = false;
    {
        std::lock_guard lock(mutex_);
        std::string key = address + '\n' + std::string(http::beast_http::to_string(route.method())) + ' ' +
                          route.pattern() + '\n' + std::to_string(status);
        auto it = windows_.find(key);
        if (it == windows_.end() && windows_.size() >= max_keys_) {
            // Too many addresses at once: the rest share one window, and one summary.
            key = "*\n*\n" + std::to_string(status);
            it = windows_.find(key);
            if (it == windows_.end()) {
                windows_[key] = Window{"*", nullptr, status, now, core::Clock::now(), 1};
                return false;
            }
        }
        if (it != windows_.end() && now - it->second.start >= window_) {
            over.push_back(it->second);
            windows_.erase(it);
            it = windows_.end();
        }
        if (it == windows_.end()) {
            windows_.emplace(std::move(key), Window{address, &route, status, now, core::Clock::now(), 0});
            first = true;
        } else {
            ++it->second.suppressed;
        }
    }
    for (const auto& window : over) Summarise(window);
    return first;
}

void RefusalSummary::Flush(Clock::time_point now, bool all) {
    std::vector<Window> over;
    {
        std::lock_guard lock(mutex_);
        for (auto it = windows_.begin(); it != windows_.end();) {
            if (all || now - it->second.start >= window_) {
                over.push_back(std::move(it->second));
                it = windows_.erase(it);
            } else {
                ++it;
            }
        }
    }
    for (const auto& window : over) Summarise(window);
}

std::size_t RefusalSummary::tracked() const {
    std::lock_guard lock(mutex_);
    return windows_.size();
}

void RefusalSummary::Summarise(const Window& window) {
    if (window.suppressed == 0) return;
    audit::Event event;
    event.source_ip = window.address;
    event.action = "http.refusals";
    event.outcome = "denied";
    event.status = static_cast<int>(window.status);
    event.details = {
        {"count", window.suppressed}, {"since", core::FormatRfc3339(window.wall_start)}, {"until", core::NowRfc3339()}};
    if (window.route) {
        event.details["method"] = http::beast_http::to_string(window.route->method());
        event.details["route"] = window.route->pattern();
    }
    audit_.Record(std::move(event));
}

}  // namespace gatehouse::api
