#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gatehouse::metrics {

/// Counters told apart by one label value (a state, a result), for a module that counts what it does and
/// leaves rendering to /metrics. Thread-safe.
class CounterVec {
  public:
    void Add(std::string_view label, std::uint64_t n = 1);
    /// Label values in order with their counts.
    std::vector<std::pair<std::string, std::uint64_t>> Snapshot() const;

  private:
    mutable std::mutex mutex_;
    std::map<std::string, std::uint64_t, std::less<>> counts_;
};

}  // namespace gatehouse::metrics
