#pragma once
// The metrics store's SQL; blocking, called inside Database::Read/Write.

#include <functional>
#include <optional>

#include "metricstore/sample.hpp"
#include "store/database.hpp"

namespace gatehouse::metricstore::sql {

using store::Connection;

/// The answer stored for a collector's batch, if it pushed that batch before.
std::optional<std::string> StoredAnswer(Connection& c, std::string_view collector_id, std::string_view batch_id);
/// Inserts the series `known` does not know, the samples (a later value for the same series and time replaces an
/// earlier one) and marks their minutes for the rollup. Returns the ids of the series it inserted.
std::vector<std::int64_t> InsertSamples(Connection& c, const std::vector<Sample>& samples,
                                        const std::function<bool(std::int64_t)>& known, std::string_view now_rfc3339);
/// Throws core::Error(already_exists) when the batch was stored meanwhile (a concurrent repeat).
void InsertBatch(Connection& c, std::string_view collector_id, std::string_view batch_id, std::string_view answer,
                 std::int64_t now_epoch);
void RecordPush(Connection& c, std::string_view collector_id, std::int64_t accepted, std::int64_t rejected,
                std::string_view at, std::int64_t now_epoch, const std::string& agent_version);

struct SeriesRow {
    std::int64_t id = 0;
    std::string name;
    Labels labels;
};
/// Series of metric `name` (every series when empty), in id order after `after_id`, at most `limit`.
std::vector<SeriesRow> Series(Connection& c, std::string_view name, std::optional<std::int64_t> after_id,
                              std::size_t limit);

/// One row of any resolution: a raw sample has min = max = sum = last = value and count 1.
struct PointRow {
    std::int64_t series_id = 0;
    std::int64_t ts = 0;  // ms
    double min = 0, max = 0, sum = 0, last = 0;
    std::int64_t count = 0;
};
enum class Resolution { raw, minute, hour };
std::string_view ResolutionName(Resolution resolution);
std::int64_t ResolutionMs(Resolution resolution);
/// Rows of `series` in [from_ms, to_ms), ordered by series and time; at most `limit` + 1 (the caller refuses more).
std::vector<PointRow> Points(Connection& c, Resolution resolution, const std::vector<std::int64_t>& series,
                             std::int64_t from_ms, std::int64_t to_ms, std::size_t limit);
/// The newest raw sample of each series.
std::vector<PointRow> Latest(Connection& c, const std::vector<std::int64_t>& series);

/// Recomputes the 1-minute rollups of the oldest minute that received samples since it was last rolled up; returns
/// that minute (ms), nullopt when none is waiting.
std::optional<std::int64_t> RollupMinute(Connection& c);
/// Recomputes the 1-hour rollups of the hour starting at `hour_ms` from its 1-minute rollups.
void RollupHour(Connection& c, std::int64_t hour_ms);

/// PostgreSQL: takes a transaction-scoped advisory lock; false when another instance holds it. SQLite: true.
bool TryMaintenanceLock(Connection& c, std::int64_t key);
/// PostgreSQL: daily partitions of samples and 1-minute rollups from `first_day_ms` to `last_day_ms` (midnights).
void CreatePartitions(Connection& c, std::int64_t first_day_ms, std::int64_t last_day_ms);
/// Drops (PostgreSQL: whole partitions; SQLite: rows) what is older than the cut-offs. Returns partitions or rows
/// dropped.
std::int64_t DropRaw(Connection& c, std::int64_t before_ms);
std::int64_t DropMinutes(Connection& c, std::int64_t before_ms);
std::int64_t DropHours(Connection& c, std::int64_t before_ms);
std::int64_t DropBatches(Connection& c, std::int64_t before_epoch);
/// Names of the partitions of `table` (PostgreSQL), oldest first.
std::vector<std::string> Partitions(Connection& c, std::string_view table);

}  // namespace gatehouse::metricstore::sql
