#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "metricstore/sample.hpp"

namespace gatehouse::agent {

struct PgTarget {
    std::string name;  // the `target` label
    std::string url;   // postgresql://...; never logged (it may hold a password)
};

/// One monitored PostgreSQL, read with gatehouse's own monitoring queries (pgmon) and turned into the same series as
/// the server's built-in sampler, labelled target=<name>. Keeps its connection between rounds.
class PgCollector {
  public:
    explicit PgCollector(PgTarget target);
    ~PgCollector();
    PgCollector(const PgCollector&) = delete;
    PgCollector& operator=(const PgCollector&) = delete;

    /// One round; an unreachable server gives pg_up 0 (and the reason as gatehouse_pg_scrape_failure).
    std::vector<metricstore::Sample> Collect(bool with_sizes, std::int64_t ts_ms);
    const PgTarget& target() const noexcept { return target_; }

  private:
    struct Connection;
    PgTarget target_;
    std::unique_ptr<Connection> connection_;
    std::unordered_map<std::string, std::int64_t> sizes_;  // database -> bytes, from the last size read
};

}  // namespace gatehouse::agent
