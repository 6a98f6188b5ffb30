#include "metricstore/metric_sql.hpp"

#include <algorithm>
#include <ctime>
#include <set>
#include <unordered_set>

#include "core/errc.hpp"

namespace gatehouse::metricstore::sql {
namespace {

using store::Dialect;
using store::Text;
using store::Value;

constexpr std::int64_t kMinuteMs = 60'000;
constexpr std::int64_t kHourMs = 3'600'000;
constexpr std::int64_t kDayMs = 86'400'000;
constexpr std::size_t kRowsPerInsert = 400;
constexpr std::size_t kIdsPerSelect = 500;

std::string Placeholders(std::size_t n, std::string_view one) {
    std::string text;
    for (std::size_t i = 0; i < n; ++i) {
        if (i) text += ", ";
        text += one;
    }
    return text;
}

std::string DayName(std::string_view table, std::int64_t day_ms) {
    const std::time_t seconds = static_cast<std::time_t>(day_ms / 1000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char buffer[16];
    std::strftime(buffer, sizeof buffer, "%Y%m%d", &tm);
    return std::string(table) + "_d" + buffer;
}

// The first millisecond of the day a partition name stands for; nullopt for a name this module did not make.
std::optional<std::int64_t> DayOf(std::string_view table, std::string_view name) {
    const std::string prefix = std::string(table) + "_d";
    if (!name.starts_with(prefix) || name.size() != prefix.size() + 8) return std::nullopt;
    std::tm tm{};
    const std::string digits(name.substr(prefix.size()));
    if (!strptime(digits.c_str(), "%Y%m%d", &tm)) return std::nullopt;
    return static_cast<std::int64_t>(timegm(&tm)) * 1000;
}

std::int64_t DropDays(Connection& c, std::string_view table, std::int64_t before_ms) {
    std::int64_t dropped = 0;
    for (const auto& name : Partitions(c, table)) {
        const auto day = DayOf(table, name);
        if (day && *day + kDayMs <= before_ms) {
            c.Execute("DROP TABLE " + name);
            ++dropped;
        }
    }
    return dropped;
}

}  // namespace

std::optional<std::string> StoredAnswer(Connection& c, std::string_view collector_id, std::string_view batch_id) {
    const auto result = c.Execute("SELECT answer FROM metric_batches WHERE collector_id = ? AND batch_id = ?",
                                  {Text(collector_id), Text(batch_id)});
    if (result.empty()) return std::nullopt;
    return result.rows.front().String(0);
}

std::vector<std::int64_t> InsertSamples(Connection& c, const std::vector<Sample>& samples,
                                        const std::function<bool(std::int64_t)>& known, std::string_view now_rfc3339) {
    // The last value pushed for a series and time wins, also within one batch (one statement may not touch a row
    // twice on PostgreSQL).
    std::vector<std::tuple<std::int64_t, std::int64_t, double>> rows;
    rows.reserve(samples.size());
    std::vector<const Sample*> new_series;
    std::unordered_set<std::int64_t> seen_new;
    for (const auto& sample : samples) {
        const auto id = SeriesId(sample.name, sample.labels);
        rows.emplace_back(id, sample.ts_ms, sample.value);
        if (!known(id) && seen_new.insert(id).second) new_series.push_back(&sample);
    }
    for (const Sample* sample : new_series)
        c.Execute(
            "INSERT INTO metric_series (id, name, labels, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO "
            "NOTHING",
            {Value(SeriesId(sample->name, sample->labels)), Text(sample->name), Text(LabelsJson(sample->labels)),
             Text(now_rfc3339)});
    std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
        return std::tie(std::get<0>(a), std::get<1>(a)) < std::tie(std::get<0>(b), std::get<1>(b));
    });
    std::vector<std::tuple<std::int64_t, std::int64_t, double>> unique;
    unique.reserve(rows.size());
    for (const auto& row : rows) {
        if (!unique.empty() && std::get<0>(unique.back()) == std::get<0>(row) &&
            std::get<1>(unique.back()) == std::get<1>(row))
            unique.back() = row;
        else
            unique.push_back(row);
    }
    std::set<std::int64_t> minutes;
    for (std::size_t start = 0; start < unique.size(); start += kRowsPerInsert) {
        const std::size_t n = std::min(kRowsPerInsert, unique.size() - start);
        std::vector<Value> params;
        params.reserve(n * 3);
        for (std::size_t i = start; i < start + n; ++i) {
            const auto& [id, ts, value] = unique[i];
            params.emplace_back(id);
            params.emplace_back(ts);
            params.emplace_back(value);
            minutes.insert(ts - ((ts % kMinuteMs) + kMinuteMs) % kMinuteMs);
        }
        c.Execute("INSERT INTO metric_samples (series_id, ts, value) VALUES " + Placeholders(n, "(?, ?, ?)") +
                      " ON CONFLICT (series_id, ts) DO UPDATE SET value = excluded.value",
                  params);
    }
    for (const auto minute : minutes)
        c.Execute("INSERT INTO metric_rollup_dirty (bucket) VALUES (?) ON CONFLICT (bucket) DO NOTHING",
                  {Value(minute)});
    return std::vector<std::int64_t>(seen_new.begin(), seen_new.end());
}

void InsertBatch(Connection& c, std::string_view collector_id, std::string_view batch_id, std::string_view answer,
                 std::int64_t now_epoch) {
    c.Execute("INSERT INTO metric_batches (collector_id, batch_id, answer, received_epoch) VALUES (?, ?, ?, ?)",
              {Text(collector_id), Text(batch_id), Text(answer), Value(now_epoch)});
}

void RecordPush(Connection& c, std::string_view collector_id, std::int64_t accepted, std::int64_t rejected,
                std::string_view at, std::int64_t now_epoch, const std::string& agent_version) {
    c.Execute(
        "UPDATE collectors SET last_push_at = ?, last_push_epoch = ?, samples_accepted = samples_accepted + ?, "
        "samples_rejected = samples_rejected + ?, batches = batches + 1, agent_version = CASE WHEN ? = '' THEN "
        "agent_version ELSE ? END WHERE id = ?",
        {Text(at), Value(now_epoch), Value(accepted), Value(rejected), Text(agent_version), Text(agent_version),
         Text(collector_id)});
}

std::vector<SeriesRow> Series(Connection& c, std::string_view name, std::optional<std::int64_t> after_id,
                              std::size_t limit) {
    std::string sql = "SELECT id, name, labels FROM metric_series WHERE 1 = 1";
    std::vector<Value> params;
    if (!name.empty()) {
        sql += " AND name = ?";
        params.push_back(Text(name));
    }
    if (after_id) {
        sql += " AND id > ?";
        params.emplace_back(*after_id);
    }
    sql += " ORDER BY id LIMIT ?";
    params.emplace_back(static_cast<std::int64_t>(limit));
    const auto result = c.Execute(sql, params);
    std::vector<SeriesRow> series;
    series.reserve(result.rows.size());
    for (const auto& r : result.rows) series.push_back({r.Int(0), r.String(1), ParseLabelsJson(r.String(2))});
    return series;
}

std::string_view ResolutionName(Resolution resolution) {
    switch (resolution) {
        case Resolution::raw:
            return "raw";
        case Resolution::minute:
            return "1m";
        case Resolution::hour:
            return "1h";
    }
    return "raw";
}

std::int64_t ResolutionMs(Resolution resolution) {
    switch (resolution) {
        case Resolution::raw:
            return 1;
        case Resolution::minute:
            return kMinuteMs;
        case Resolution::hour:
            return kHourMs;
    }
    return 1;
}

std::vector<PointRow> Points(Connection& c, Resolution resolution, const std::vector<std::int64_t>& series,
                             std::int64_t from_ms, std::int64_t to_ms, std::size_t limit) {
    std::vector<PointRow> points;
    const std::string columns = resolution == Resolution::raw ? "series_id, ts, value, value, value, value, 1"
                                                              : "series_id, ts, min, max, sum, last, count";
    const std::string table = resolution == Resolution::raw      ? "metric_samples"
                              : resolution == Resolution::minute ? "metric_rollups_1m"
                                                                 : "metric_rollups_1h";
    for (std::size_t start = 0; start < series.size() && points.size() <= limit; start += kIdsPerSelect) {
        const std::size_t n = std::min(kIdsPerSelect, series.size() - start);
        std::vector<Value> params;
        for (std::size_t i = start; i < start + n; ++i) params.emplace_back(series[i]);
        params.emplace_back(from_ms);
        params.emplace_back(to_ms);
        params.emplace_back(static_cast<std::int64_t>(limit + 1 - points.size()));
        const auto result =
            c.Execute("SELECT " + columns + " FROM " + table + " WHERE series_id IN (" + Placeholders(n, "?") +
                          ") AND ts >= ? AND ts < ? ORDER BY series_id, ts LIMIT ?",
                      params);
        for (const auto& r : result.rows)
            points.push_back({r.Int(0), r.Int(1), r.Double(2), r.Double(3), r.Double(4), r.Double(5), r.Int(6)});
    }
    return points;
}

std::vector<PointRow> Latest(Connection& c, const std::vector<std::int64_t>& series) {
    std::vector<PointRow> points;
    for (const auto id : series) {
        const auto result =
            c.Execute("SELECT ts, value FROM metric_samples WHERE series_id = ? ORDER BY ts DESC LIMIT 1", {Value(id)});
        if (result.empty()) continue;
        const auto& r = result.rows.front();
        const double v = r.Double(1);
        points.push_back({id, r.Int(0), v, v, v, v, 1});
    }
    return points;
}

std::optional<std::int64_t> RollupMinute(Connection& c) {
    const auto dirty = c.Execute("SELECT bucket FROM metric_rollup_dirty ORDER BY bucket LIMIT 1");
    if (dirty.empty()) return std::nullopt;
    const std::int64_t minute = dirty.rows.front().Int(0);
    const std::int64_t end = minute + kMinuteMs;
    c.Execute(
        "INSERT INTO metric_rollups_1m (series_id, ts, min, max, sum, count, last, last_ts) "
        "SELECT s.series_id, CAST(? AS BIGINT), min(s.value), max(s.value), sum(s.value), count(*), "
        "(SELECT l.value FROM metric_samples l WHERE l.series_id = s.series_id AND l.ts >= ? AND l.ts < ? "
        "ORDER BY l.ts DESC LIMIT 1), max(s.ts) "
        "FROM metric_samples s WHERE s.ts >= ? AND s.ts < ? GROUP BY s.series_id "
        "ON CONFLICT (series_id, ts) DO UPDATE SET min = excluded.min, max = excluded.max, sum = excluded.sum, "
        "count = excluded.count, last = excluded.last, last_ts = excluded.last_ts",
        {Value(minute), Value(minute), Value(end), Value(minute), Value(end)});
    c.Execute("DELETE FROM metric_rollup_dirty WHERE bucket = ?", {Value(minute)});
    return minute;
}

void RollupHour(Connection& c, std::int64_t hour) {
    const std::int64_t end = hour + kHourMs;
    c.Execute(
        "INSERT INTO metric_rollups_1h (series_id, ts, min, max, sum, count, last, last_ts) "
        "SELECT r.series_id, CAST(? AS BIGINT), min(r.min), max(r.max), sum(r.sum), sum(r.count), "
        "(SELECT l.last FROM metric_rollups_1m l WHERE l.series_id = r.series_id AND l.ts >= ? AND l.ts < ? "
        "ORDER BY l.ts DESC LIMIT 1), max(r.last_ts) "
        "FROM metric_rollups_1m r WHERE r.ts >= ? AND r.ts < ? GROUP BY r.series_id "
        "ON CONFLICT (series_id, ts) DO UPDATE SET min = excluded.min, max = excluded.max, sum = excluded.sum, "
        "count = excluded.count, last = excluded.last, last_ts = excluded.last_ts",
        {Value(hour), Value(hour), Value(end), Value(hour), Value(end)});
}

bool TryMaintenanceLock(Connection& c, std::int64_t key) {
    if (c.dialect() != Dialect::postgres) return true;
    const auto result = c.Execute("SELECT pg_try_advisory_xact_lock(?)", {Value(key)});
    return !result.empty() && result.rows.front().Bool(0);
}

std::vector<std::string> Partitions(Connection& c, std::string_view table) {
    if (c.dialect() != Dialect::postgres) return {};
    const auto result = c.Execute(
        "SELECT child.relname FROM pg_inherits i JOIN pg_class child ON child.oid = i.inhrelid "
        "JOIN pg_class parent ON parent.oid = i.inhparent WHERE parent.relname = ? ORDER BY child.relname",
        {Text(table)});
    std::vector<std::string> names;
    for (const auto& r : result.rows) names.push_back(r.String(0));
    return names;
}

void CreatePartitions(Connection& c, std::int64_t first_day_ms, std::int64_t last_day_ms) {
    if (c.dialect() != Dialect::postgres) return;
    // Instances starting together wait for each other here instead of racing to create the same partition.
    c.Execute("SELECT pg_advisory_xact_lock(?)", {Value(std::int64_t{0x67617465706172})});
    for (const std::string_view table : {"metric_samples", "metric_rollups_1m"}) {
        const auto existing = Partitions(c, table);
        for (std::int64_t day = first_day_ms; day <= last_day_ms; day += kDayMs) {
            const auto name = DayName(table, day);
            if (std::find(existing.begin(), existing.end(), name) != existing.end()) continue;
            c.Execute("CREATE TABLE IF NOT EXISTS " + name + " PARTITION OF " + std::string(table) +
                      " FOR VALUES FROM (" + std::to_string(day) + ") TO (" + std::to_string(day + kDayMs) + ")");
        }
    }
}

std::int64_t DropRaw(Connection& c, std::int64_t before_ms) {
    if (c.dialect() == Dialect::postgres) return DropDays(c, "metric_samples", before_ms);
    return c.Execute("DELETE FROM metric_samples WHERE ts < ?", {Value(before_ms)}).affected;
}

std::int64_t DropMinutes(Connection& c, std::int64_t before_ms) {
    if (c.dialect() == Dialect::postgres) return DropDays(c, "metric_rollups_1m", before_ms);
    return c.Execute("DELETE FROM metric_rollups_1m WHERE ts < ?", {Value(before_ms)}).affected;
}

std::int64_t DropHours(Connection& c, std::int64_t before_ms) {
    return c.Execute("DELETE FROM metric_rollups_1h WHERE ts < ?", {Value(before_ms)}).affected;
}

std::int64_t DropBatches(Connection& c, std::int64_t before_epoch) {
    return c.Execute("DELETE FROM metric_batches WHERE received_epoch < ?", {Value(before_epoch)}).affected;
}

}  // namespace gatehouse::metricstore::sql
