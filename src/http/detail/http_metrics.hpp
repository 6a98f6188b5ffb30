#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "http/router.hpp"
#include "metrics/histogram.hpp"
#include "metrics/registry.hpp"

namespace gatehouse::http::detail {

/// Request counts and latency by route, method and status; requests in flight; open WebSockets.
class HttpMetrics {
  public:
    explicit HttpMetrics(metrics::Registry& registry);

    void Observe(const Route* route, std::string_view method, unsigned status, double seconds);
    std::atomic<std::int64_t>& in_flight() noexcept { return in_flight_; }
    std::atomic<std::int64_t>& websockets_open() noexcept { return websockets_open_; }

  private:
    struct Series {
        std::string labels;
        std::atomic<std::uint64_t> count{0};
        metrics::Histogram latency;
    };
    void Write(metrics::Writer& writer) const;

    struct Key {
        const Route* route;
        unsigned status;
        int verb;
        bool operator==(const Key&) const = default;
    };
    struct KeyHash {
        std::size_t operator()(const Key& k) const noexcept {
            return std::hash<const void*>()(k.route) ^ (static_cast<std::size_t>(k.status) << 20) ^
                   (static_cast<std::size_t>(k.verb) << 40);
        }
    };

    mutable std::mutex mutex_;
    std::unordered_map<Key, std::unique_ptr<Series>, KeyHash> series_;
    std::atomic<std::int64_t> in_flight_{0};
    std::atomic<std::int64_t> websockets_open_{0};
};

}  // namespace gatehouse::http::detail
