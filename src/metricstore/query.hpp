#pragma once
// Range queries: bucketing rows of any resolution into steps and aggregating them (pure, no I/O).

#include <string>
#include <vector>

#include "metricstore/metric_sql.hpp"
#include "metricstore/sample.hpp"

namespace gatehouse::metricstore {

inline constexpr const char* kAggregations[] = {"avg", "min", "max", "sum", "count", "last", "p95"};

struct QueryRequest {
    std::string name;
    Labels match;  // exact label values every series must have
    std::int64_t from_ms = 0;
    std::int64_t to_ms = 0;
    std::int64_t step_ms = 0;
    std::string agg = "avg";
    std::vector<std::string> group_by;  // empty: one answer series per stored series
    bool single_bucket = false;         // one point per series for the whole range (an alert's window)
};

struct SeriesResult {
    Labels labels;
    std::vector<std::pair<double, double>> points;  // [Unix seconds, value]
};

/// Whether a series' labels hold every matcher.
bool Matches(const Labels& labels, const Labels& match);

/// The coarsest resolution whose rows are no wider than `step_ms`; p95 needs raw values.
sql::Resolution ChooseResolution(std::int64_t step_ms, const std::string& agg);

/// Groups `series` (by `group_by` labels, or each on its own) and aggregates `rows` into step-aligned buckets
/// (multiples of step since the epoch) within [from, to).
std::vector<SeriesResult> Aggregate(const std::vector<sql::SeriesRow>& series, const std::vector<sql::PointRow>& rows,
                                    const QueryRequest& request);

}  // namespace gatehouse::metricstore
