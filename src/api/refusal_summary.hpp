#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "audit/audit_log.hpp"
#include "http/router.hpp"

namespace gatehouse::api {

/// Keeps refusals (401/403 on protected routes) from flooding the audit trail and the disk: the first refusal of
/// an address on a route with a status in a window is recorded as usual; the ones after it are only counted, and
/// one summary event (`http.refusals`, with the count) is written when the window is over. The map of windows is
/// bounded: past `max_keys` addresses, further refusals are counted together under the address "*".
/// Thread-safe.
class RefusalSummary {
  public:
    using Clock = std::chrono::steady_clock;
    RefusalSummary(audit::AuditLog& audit, std::chrono::seconds window = std::chrono::seconds(60),
                   std::size_t max_keys = 10000);

    /// true: record this refusal as an event of its own (the first of its window).
    bool First(const std::string& address, const http::Route& route, unsigned status,
               Clock::time_point now = Clock::now());
    /// Writes the summaries of windows that are over and forgets them (scheduler job; also at shutdown with `all`).
    void Flush(Clock::time_point now = Clock::now(), bool all = false);

    std::size_t tracked() const;

  private:
    struct Window {
        std::string address;
        const http::Route* route = nullptr;
        unsigned status = 0;
        Clock::time_point start;
        core::Clock::time_point wall_start;
        std::uint64_t suppressed = 0;
    };
    void Summarise(const Window& window);

    audit::AuditLog& audit_;
    const std::chrono::seconds window_;
    const std::size_t max_keys_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Window> windows_;
};

}  // namespace gatehouse::api
