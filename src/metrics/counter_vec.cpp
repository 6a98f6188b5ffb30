#include "metrics/counter_vec.hpp"

namespace gatehouse::metrics {

void CounterVec::Add(std::string_view label, std::uint64_t n) {
    const std::lock_guard lock(mutex_);
    const auto it = counts_.find(label);
    if (it != counts_.end())
        it->second += n;
    else
        counts_.emplace(std::string(label), n);
}

std::vector<std::pair<std::string, std::uint64_t>> CounterVec::Snapshot() const {
    const std::lock_guard lock(mutex_);
    return {counts_.begin(), counts_.end()};
}

}  // namespace gatehouse::metrics
