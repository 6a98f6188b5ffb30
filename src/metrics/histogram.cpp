#include "metrics/histogram.hpp"

namespace gatehouse::metrics {

void Histogram::Observe(double seconds) noexcept {
    for (std::size_t i = 0; i < kBounds.size(); ++i) {
        if (seconds <= kBounds[i]) {
            buckets_[i].fetch_add(1, std::memory_order_relaxed);
            break;
        }
    }
    count_.fetch_add(1, std::memory_order_relaxed);
    sum_ns_.fetch_add(static_cast<std::uint64_t>(seconds * 1e9), std::memory_order_relaxed);
}

double Histogram::sum() const noexcept { return static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9; }

std::uint64_t Histogram::CumulativeCount(std::size_t i) const noexcept {
    std::uint64_t total = 0;
    for (std::size_t b = 0; b <= i && b < kBounds.size(); ++b) total += buckets_[b].load(std::memory_order_relaxed);
    return total;
}

}  // namespace gatehouse::metrics
