#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <span>
#include <string>

namespace gatehouse::metrics {

/// Latency histogram with fixed bucket bounds (seconds), lock-free to observe.
class Histogram {
  public:
    static constexpr std::array<double, 12> kBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                       0.05,   0.1,   0.25,   0.5,   1.0,  5.0};

    void Observe(double seconds) noexcept;
    std::uint64_t count() const noexcept { return count_.load(std::memory_order_relaxed); }
    double sum() const noexcept;
    /// Cumulative count of observations <= kBounds[i].
    std::uint64_t CumulativeCount(std::size_t i) const noexcept;

  private:
    std::array<std::atomic<std::uint64_t>, kBounds.size()> buckets_{};
    std::atomic<std::uint64_t> count_{0};
    std::atomic<std::uint64_t> sum_ns_{0};
};

}  // namespace gatehouse::metrics
