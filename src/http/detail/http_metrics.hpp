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

/// Request counts and latency by route, method and status; requests in flight.
class HttpMetrics {
public:
    explicit HttpMetrics(metrics::Registry& registry);

    void Observe(const Route* route, std::string_view method, unsigned status, double seconds);
    std::atomic<std::int64_t>& in_flight() noexcept { return in_flight_; }

private:
    struct Series {
        std::string labels;
        std::atomic<std::uint64_t> count{0};
        metrics::Histogram latency;
    };
    void Write(metrics::Writer& writer) const;

    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::unique_ptr<Series>> series_;
    std::atomic<std::int64_t> in_flight_{0};
};

}  // namespace gatehouse::http::detail
