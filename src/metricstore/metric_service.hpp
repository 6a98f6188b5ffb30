#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "metricstore/query.hpp"
#include "metricstore/sample.hpp"
#include "store/database.hpp"

namespace gatehouse::metricstore {

struct MetricOptions {
    int retention_raw_days = 7;
    int retention_1m_days = 30;
    int retention_1h_days = 400;
    std::size_t max_points = 11000;
    std::size_t max_series = 500;
    std::size_t max_samples = 10000;
};

struct QueryResult {
    std::string resolution;
    std::int64_t step_ms = 0;
    std::vector<SeriesResult> series;
};

struct LatestPoint {
    std::string name;
    Labels labels;
    double time = 0;  // Unix seconds
    double value = 0;
};

struct SeriesPage {
    std::vector<sql::SeriesRow> items;
    std::optional<std::string> next_cursor;
};

/// What one maintenance run did.
struct MaintenanceReport {
    bool ran = false;  // false: another instance holds the lock
    std::size_t minutes_rolled_up = 0;
    std::int64_t dropped = 0;  // partitions (PostgreSQL) or rows (SQLite)
};

/// The metrics store: pushes, the built-in sampler's writes, range queries, rollups and retention. Called from
/// coroutines on I/O executors; database work runs on the store's pools. Expected failures are core::Error:
/// invalid_argument (naming the field or the bound a query breaks).
class MetricService {
  public:
    MetricService(store::Database& database, MetricOptions options = {});
    ~MetricService();

    /// Blocking, for start-up: the PostgreSQL partitions every accepted sample time needs.
    void PrepareBlocking();

    /// Validates and stores one collector's push in one transaction: `{batch_id, accepted, rejected: [{index,
    /// reason}], replayed}`, answered once committed. A batch id the collector pushed before answers the stored
    /// answer again (replayed: true) without storing anything.
    boost::asio::awaitable<boost::json::object> Push(std::string collector_id, boost::json::value body);
    /// Stores samples of gatehouse's own (the built-in sampler); returns how many.
    boost::asio::awaitable<std::size_t> Write(std::vector<Sample> samples);

    boost::asio::awaitable<QueryResult> Query(QueryRequest request);
    boost::asio::awaitable<std::vector<LatestPoint>> Latest(std::string name, Labels match);
    /// Each matching series' samples of the last `window_ms` aggregated with `agg` into one value (alert rules).
    boost::asio::awaitable<std::vector<SeriesResult>> Window(std::string name, Labels match, std::string agg,
                                                             std::int64_t window_ms);
    /// Series (names and label sets) of `name` (all when empty) holding `match`, in id order.
    boost::asio::awaitable<SeriesPage> Series(std::string name, Labels match, std::size_t limit, std::string cursor);

    /// Rollups of the minutes and hours that got samples, then (at most hourly) partitions ahead and retention.
    /// On PostgreSQL one instance at a time does it (advisory lock).
    boost::asio::awaitable<MaintenanceReport> Maintain(bool force_retention = false);

    const MetricOptions& options() const noexcept;
    /// Every sample stored from now on is also handed to `sink` (metrics.remote_write_url), after its commit.
    void ForwardTo(std::function<void(const std::vector<Sample>&)> sink);

  private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace gatehouse::metricstore
