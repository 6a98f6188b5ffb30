#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "gateway/gateway_types.hpp"
#include "metrics/registry.hpp"

namespace gatehouse::proxy {

/// What the proxy did per access token since this instance started: written to the store by a scheduler job
/// (sessions of several instances are summed there) and totals on /metrics. Thread-safe.
class UsageBook {
  public:
    struct Request {
        const gateway::TokenEntry* token;
        std::string_view client_address;
        std::string_view user_agent;
        std::uint64_t bytes_in = 0;
        std::uint64_t bytes_out = 0;
    };
    void Record(const Request& request);
    void WebSocketOpened(const gateway::TokenEntry& token);
    void WebSocketClosed(const gateway::TokenEntry& token);
    /// The sessions changed since the last call (for the store).
    std::vector<gateway::SessionView> TakeChanged();
    void AddMetrics(metrics::Registry& registry);

    std::uint64_t requests_total() const noexcept { return requests_.load(); }

  private:
    struct Entry {
        gateway::SessionView view;
        bool changed = false;
    };
    Entry& EntryOf(const gateway::TokenEntry& token);

    std::mutex mutex_;
    std::unordered_map<std::string, Entry> sessions_;
    std::atomic<std::uint64_t> requests_{0};
    std::atomic<std::uint64_t> bytes_in_{0};
    std::atomic<std::uint64_t> bytes_out_{0};
    std::atomic<std::int64_t> websockets_open_{0};
    std::atomic<std::uint64_t> websockets_total_{0};
};

}  // namespace gatehouse::proxy
