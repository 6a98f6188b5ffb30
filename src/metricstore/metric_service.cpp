#include "metricstore/metric_service.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <unordered_set>

#include "core/errc.hpp"
#include "core/log.hpp"
#include "core/time.hpp"
#include "metricstore/metric_sql.hpp"
#include "metricstore/push_parse.hpp"

namespace gatehouse::metricstore {
namespace {

namespace json = boost::json;
constexpr std::int64_t kDayMs = 86'400'000;
constexpr std::int64_t kHourMs = 3'600'000;
constexpr std::int64_t kMaintenanceLock = 0x6761746d61696e;  // "gatmain"
constexpr std::size_t kMaxRows = 1'000'000;                  // rows read for one query
constexpr std::size_t kKnownSeriesMax = 1'000'000;

std::int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(core::Clock::now().time_since_epoch()).count();
}

[[noreturn]] void Invalid(const std::string& why) { throw core::Error(core::errc::invalid_argument, why); }

json::object Answer(const Batch& batch) {
    json::array rejected;
    for (const auto& r : batch.rejected) rejected.push_back(json::object{{"index", r.index}, {"reason", r.reason}});
    return {{"batch_id", batch.batch_id},
            {"accepted", batch.samples.size()},
            {"rejected", std::move(rejected)},
            {"replayed", false}};
}

json::object Replayed(const std::string& stored) {
    auto answer = json::parse(stored).as_object();
    answer["replayed"] = true;
    return answer;
}

}  // namespace

struct MetricService::Impl {
    store::Database& db;
    MetricOptions options;
    mutable std::shared_mutex mutex;
    std::unordered_set<std::int64_t> known;  // series ids the database holds
    std::chrono::steady_clock::time_point last_retention{};
    std::function<void(const std::vector<Sample>&)> forward;

    bool Known(std::int64_t id) const {
        std::shared_lock lock(mutex);
        return known.contains(id);
    }

    void Learn(const std::vector<std::int64_t>& ids) {
        std::unique_lock lock(mutex);
        if (known.size() + ids.size() > kKnownSeriesMax) known.clear();
        known.insert(ids.begin(), ids.end());
    }

    std::int64_t OldestMs(std::int64_t now_ms) const {
        // Whole days: PostgreSQL partitions exist from the first day of the raw retention.
        const std::int64_t oldest = now_ms - static_cast<std::int64_t>(options.retention_raw_days) * kDayMs;
        return oldest - oldest % kDayMs;
    }

    void Partitions(store::Connection& c, std::int64_t now_ms) const {
        const std::int64_t today = now_ms - now_ms % kDayMs;
        const std::int64_t oldest =
            std::min(OldestMs(now_ms), today - static_cast<std::int64_t>(options.retention_1m_days) * kDayMs);
        sql::CreatePartitions(c, oldest, today + 2 * kDayMs);
    }

    // Resolves the series a query reads: matching name and labels, at most max_series.
    std::vector<sql::SeriesRow> Matching(store::Connection& c, const std::string& name, const Labels& match,
                                         std::size_t max) const {
        std::vector<sql::SeriesRow> matched;
        std::optional<std::int64_t> after;
        for (;;) {
            auto page = sql::Series(c, name, after, 5000);
            for (auto& s : page)
                if (Matches(s.labels, match)) matched.push_back(std::move(s));
            if (matched.size() > max || page.size() < 5000) break;
            after = page.back().id;
        }
        return matched;
    }
};

MetricService::MetricService(store::Database& database, MetricOptions options)
    : impl_(std::make_shared<Impl>(database, options)) {}

MetricService::~MetricService() = default;

const MetricOptions& MetricService::options() const noexcept { return impl_->options; }

void MetricService::ForwardTo(std::function<void(const std::vector<Sample>&)> sink) {
    impl_->forward = std::move(sink);
}

void MetricService::PrepareBlocking() {
    impl_->db.WithTransaction([this](store::Connection& c) { impl_->Partitions(c, NowMs()); });
}

boost::asio::awaitable<json::object> MetricService::Push(std::string collector_id, json::value body) {
    auto& impl = *impl_;
    const auto now_ms = NowMs();
    PushLimits limits;
    limits.max_samples = impl.options.max_samples;
    limits.oldest_ms = impl.OldestMs(now_ms);
    std::string agent_version;
    const auto batch = ParseBatch(body, now_ms, limits, &agent_version);
    auto answer = Answer(batch);
    const std::string answer_text = json::serialize(answer);
    const auto at = core::NowRfc3339();
    const auto now_epoch = now_ms / 1000;
    std::optional<std::string> stored;
    std::vector<std::int64_t> inserted;
    try {
        stored = co_await impl.db.Write([&](store::Connection& c) -> std::optional<std::string> {
            if (auto previous = sql::StoredAnswer(c, collector_id, batch.batch_id)) return previous;
            inserted = sql::InsertSamples(
                c, batch.samples, [&impl](std::int64_t id) { return impl.Known(id); }, at);
            sql::InsertBatch(c, collector_id, batch.batch_id, answer_text, now_epoch);
            sql::RecordPush(c, collector_id, static_cast<std::int64_t>(batch.samples.size()),
                            static_cast<std::int64_t>(batch.rejected.size()), at, now_epoch, agent_version);
            return std::nullopt;
        });
    } catch (const core::Error& error) {
        // The same batch committed by a concurrent request a moment ago: its answer stands.
        if (error.code() != core::errc::already_exists) throw;
        stored = std::string();
    }
    if (stored && stored->empty())
        stored = co_await impl.db.Read([&collector_id, &batch](store::Connection& c) {
            return sql::StoredAnswer(c, collector_id, batch.batch_id).value_or("");
        });
    if (stored) {
        if (stored->empty()) throw core::Error(core::errc::unavailable, "the batch could not be stored; push it again");
        co_return Replayed(*stored);
    }
    impl.Learn(inserted);
    if (impl.forward) impl.forward(batch.samples);
    co_return answer;
}

boost::asio::awaitable<std::size_t> MetricService::Write(std::vector<Sample> samples) {
    auto& impl = *impl_;
    const auto at = core::NowRfc3339();
    auto inserted = co_await impl.db.Write([&](store::Connection& c) {
        return sql::InsertSamples(
            c, samples, [&impl](std::int64_t id) { return impl.Known(id); }, at);
    });
    impl.Learn(inserted);
    if (impl.forward) impl.forward(samples);
    co_return samples.size();
}

boost::asio::awaitable<QueryResult> MetricService::Query(QueryRequest request) {
    auto& impl = *impl_;
    if (!IsMetricName(request.name)) Invalid("query parameter 'name' must be a metric name");
    if (request.to_ms <= request.from_ms) Invalid("query parameter 'from' must be before 'to'");
    if (request.step_ms <= 0) {
        // About 240 points per series by default, in whole seconds.
        request.step_ms = std::max<std::int64_t>(1000, ((request.to_ms - request.from_ms) / 240 + 999) / 1000 * 1000);
    }
    const auto buckets =
        static_cast<std::size_t>((request.to_ms - request.from_ms + request.step_ms - 1) / request.step_ms);
    if (buckets > impl.options.max_points)
        Invalid("the range holds " + std::to_string(buckets) + " steps; at most " +
                std::to_string(impl.options.max_points) + " points per answer: raise 'step' or narrow the range");
    const auto resolution = ChooseResolution(request.step_ms, request.agg);
    const auto max_series = impl.options.max_series;
    auto series = co_await impl.db.Read([&impl, &request, max_series](store::Connection& c) {
        return impl.Matching(c, request.name, request.match, max_series);
    });
    if (series.size() > max_series && request.group_by.empty())
        Invalid("more than " + std::to_string(max_series) + " series match; narrow the match[...] labels or group_by");
    if (request.group_by.empty() && series.size() * buckets > impl.options.max_points)
        Invalid("the answer would hold up to " + std::to_string(series.size() * buckets) + " points; at most " +
                std::to_string(impl.options.max_points) + ": raise 'step', narrow the range or match fewer series");
    std::vector<std::int64_t> ids;
    ids.reserve(series.size());
    for (const auto& s : series) ids.push_back(s.id);
    auto rows = co_await impl.db.Read([&ids, resolution, &request](store::Connection& c) {
        return sql::Points(c, resolution, ids, request.from_ms, request.to_ms, kMaxRows);
    });
    if (rows.size() > kMaxRows)
        Invalid("the range holds more than " + std::to_string(kMaxRows) +
                " stored rows; raise 'step' (coarser rollups) or narrow the range");
    QueryResult result;
    result.resolution = std::string(sql::ResolutionName(resolution));
    result.step_ms = request.step_ms;
    result.series = Aggregate(series, rows, request);
    std::size_t points = 0;
    for (const auto& s : result.series) points += s.points.size();
    if (result.series.size() > max_series || points > impl.options.max_points)
        Invalid("the answer would hold " + std::to_string(result.series.size()) + " series and " +
                std::to_string(points) + " points; at most " + std::to_string(max_series) + " and " +
                std::to_string(impl.options.max_points));
    co_return result;
}

boost::asio::awaitable<std::vector<SeriesResult>> MetricService::Window(std::string name, Labels match, std::string agg,
                                                                        std::int64_t window_ms) {
    auto& impl = *impl_;
    QueryRequest request;
    request.name = std::move(name);
    request.match = std::move(match);
    request.agg = std::move(agg);
    request.to_ms = NowMs() + 1;
    request.from_ms = request.to_ms - window_ms;
    request.step_ms = window_ms;
    request.single_bucket = true;
    // Raw samples for windows up to six hours (and always for p95); 1-minute rollups beyond.
    const auto resolution =
        request.agg == "p95" || window_ms <= 6 * 3600 * 1000 ? sql::Resolution::raw : sql::Resolution::minute;
    const auto max_series = impl.options.max_series;
    auto series = co_await impl.db.Read([&impl, &request, max_series](store::Connection& c) {
        return impl.Matching(c, request.name, request.match, max_series);
    });
    if (series.size() > max_series) series.resize(max_series);
    std::vector<std::int64_t> ids;
    for (const auto& s : series) ids.push_back(s.id);
    auto rows = co_await impl.db.Read([&ids, resolution, &request](store::Connection& c) {
        return sql::Points(c, resolution, ids, request.from_ms, request.to_ms, kMaxRows);
    });
    co_return Aggregate(series, rows, request);
}

boost::asio::awaitable<std::vector<LatestPoint>> MetricService::Latest(std::string name, Labels match) {
    auto& impl = *impl_;
    if (!IsMetricName(name)) Invalid("query parameter 'name' must be a metric name");
    const auto max_series = impl.options.max_series;
    auto latest = co_await impl.db.Read([&](store::Connection& c) {
        auto series = impl.Matching(c, name, match, max_series);
        if (series.size() > max_series)
            Invalid("more than " + std::to_string(max_series) + " series match; narrow the match[...] labels");
        std::vector<std::int64_t> ids;
        for (const auto& s : series) ids.push_back(s.id);
        const auto rows = sql::Latest(c, ids);
        std::vector<LatestPoint> points;
        for (const auto& row : rows)
            for (const auto& s : series)
                if (s.id == row.series_id)
                    points.push_back({s.name, s.labels, static_cast<double>(row.ts) / 1000.0, row.last});
        return points;
    });
    co_return latest;
}

boost::asio::awaitable<SeriesPage> MetricService::Series(std::string name, Labels match, std::size_t limit,
                                                         std::string cursor) {
    if (!name.empty() && !IsMetricName(name)) Invalid("query parameter 'name' must be a metric name");
    std::optional<std::int64_t> after;
    if (!cursor.empty()) {
        std::int64_t value = 0;
        const auto [end, ec] = std::from_chars(cursor.data(), cursor.data() + cursor.size(), value);
        if (ec != std::errc() || end != cursor.data() + cursor.size())
            Invalid("query parameter 'cursor' is not a cursor this list gave");
        after = value;
    }
    auto page = co_await impl_->db.Read([&](store::Connection& c) {
        SeriesPage result;
        auto from = after;
        // Label matching happens here, so a page reads on until it is full or the series run out.
        for (int reads = 0; reads < 100 && result.items.size() <= limit; ++reads) {
            auto rows = sql::Series(c, name, from, 1000);
            for (auto& row : rows)
                if (Matches(row.labels, match) && result.items.size() <= limit) result.items.push_back(std::move(row));
            if (rows.size() < 1000) break;
            from = rows.back().id;
        }
        if (result.items.size() > limit) {
            result.items.resize(limit);
            result.next_cursor = std::to_string(result.items.back().id);
        }
        return result;
    });
    co_return page;
}

boost::asio::awaitable<MaintenanceReport> MetricService::Maintain(bool force_retention) {
    auto& impl = *impl_;
    const auto now_ms = NowMs();
    const auto now = std::chrono::steady_clock::now();
    const bool retention = force_retention || impl.last_retention == std::chrono::steady_clock::time_point{} ||
                           now - impl.last_retention > std::chrono::hours(1);
    // One minute per transaction: on SQLite the single writer is never held long away from pushes.
    MaintenanceReport report;
    std::set<std::int64_t> hours;
    for (std::size_t round = 0; round < 2000; ++round) {
        const auto minute = co_await impl.db.Write([](store::Connection& c) -> std::optional<std::int64_t> {
            if (!sql::TryMaintenanceLock(c, kMaintenanceLock)) return INT64_MIN;
            return sql::RollupMinute(c);
        });
        if (minute == INT64_MIN) co_return report;  // another instance maintains
        report.ran = true;
        if (!minute) break;
        ++report.minutes_rolled_up;
        hours.insert(*minute - ((*minute % kHourMs) + kHourMs) % kHourMs);
    }
    // Each hour once, however many of its minutes changed.
    for (const auto hour : hours)
        co_await impl.db.Write([hour](store::Connection& c) {
            if (sql::TryMaintenanceLock(c, kMaintenanceLock)) sql::RollupHour(c, hour);
        });
    auto retained = co_await impl.db.Write([&impl, now_ms, retention](store::Connection& c) {
        MaintenanceReport r;
        if (!retention || !sql::TryMaintenanceLock(c, kMaintenanceLock)) return r;
        r.ran = true;
        {
            const auto& o = impl.options;
            impl.Partitions(c, now_ms);
            r.dropped += sql::DropRaw(c, now_ms - o.retention_raw_days * kDayMs);
            r.dropped += sql::DropMinutes(c, now_ms - o.retention_1m_days * kDayMs);
            r.dropped += sql::DropHours(c, now_ms - o.retention_1h_days * kDayMs);
            sql::DropBatches(c, now_ms / 1000 - o.retention_raw_days * 86400);
        }
        return r;
    });
    report.dropped = retained.dropped;
    if (retention && retained.ran) impl.last_retention = now;
    if (report.minutes_rolled_up > 0 || report.dropped > 0)
        core::LogInfo("metrics.maintained",
                      {{"minutes_rolled_up", report.minutes_rolled_up}, {"dropped", report.dropped}});
    co_return report;
}

}  // namespace gatehouse::metricstore
