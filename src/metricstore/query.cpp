#include "metricstore/query.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

namespace gatehouse::metricstore {
namespace {

struct Bucket {
    double min = 0, max = 0, sum = 0, last = 0;
    std::int64_t count = 0;
    std::int64_t last_ts = INT64_MIN;
    std::vector<double> values;  // p95 only

    void Add(const sql::PointRow& row, bool keep_values) {
        if (count == 0) {
            min = row.min;
            max = row.max;
        } else {
            min = std::min(min, row.min);
            max = std::max(max, row.max);
        }
        sum += row.sum;
        count += row.count;
        if (row.ts >= last_ts) {
            last_ts = row.ts;
            last = row.last;
        }
        if (keep_values) values.push_back(row.last);
    }

    double Value(const std::string& agg) {
        if (agg == "min") return min;
        if (agg == "max") return max;
        if (agg == "sum") return sum;
        if (agg == "count") return static_cast<double>(count);
        if (agg == "last") return last;
        if (agg == "p95") {
            // Nearest rank: the smallest value with at least 95 % of the values at or below it.
            std::sort(values.begin(), values.end());
            const auto rank = static_cast<std::size_t>(std::ceil(0.95 * static_cast<double>(values.size())));
            return values[std::max<std::size_t>(rank, 1) - 1];
        }
        return count ? sum / static_cast<double>(count) : 0;
    }
};

Labels GroupLabels(const Labels& labels, const std::vector<std::string>& group_by) {
    if (group_by.empty()) return labels;
    Labels kept;
    for (const auto& name : group_by) {
        const auto it = std::find_if(labels.begin(), labels.end(), [&name](const auto& l) { return l.first == name; });
        kept.emplace_back(name, it == labels.end() ? std::string() : it->second);
    }
    std::sort(kept.begin(), kept.end());
    return kept;
}

}  // namespace

bool Matches(const Labels& labels, const Labels& match) {
    for (const auto& [name, value] : match) {
        const auto it = std::find_if(labels.begin(), labels.end(), [&name](const auto& l) { return l.first == name; });
        if (it == labels.end() ? !value.empty() : it->second != value) return false;
    }
    return true;
}

sql::Resolution ChooseResolution(std::int64_t step_ms, const std::string& agg) {
    if (agg == "p95" || step_ms < sql::ResolutionMs(sql::Resolution::minute)) return sql::Resolution::raw;
    if (step_ms < sql::ResolutionMs(sql::Resolution::hour)) return sql::Resolution::minute;
    return sql::Resolution::hour;
}

std::vector<SeriesResult> Aggregate(const std::vector<sql::SeriesRow>& series, const std::vector<sql::PointRow>& rows,
                                    const QueryRequest& request) {
    std::unordered_map<std::int64_t, std::size_t> group_of;
    std::map<Labels, std::size_t> groups;
    for (const auto& s : series) {
        const auto labels = GroupLabels(s.labels, request.group_by);
        const auto [it, inserted] = groups.emplace(labels, groups.size());
        group_of[s.id] = it->second;
    }
    std::vector<std::map<std::int64_t, Bucket>> buckets(groups.size());
    const bool keep_values = request.agg == "p95";
    const std::int64_t step = std::max<std::int64_t>(request.step_ms, 1);
    for (const auto& row : rows) {
        const auto group = group_of.find(row.series_id);
        if (group == group_of.end() || row.ts < request.from_ms || row.ts >= request.to_ms) continue;
        const std::int64_t start = request.single_bucket ? request.from_ms : row.ts - ((row.ts % step) + step) % step;
        buckets[group->second][start].Add(row, keep_values);
    }
    std::vector<SeriesResult> results(groups.size());
    for (const auto& [labels, index] : groups) results[index].labels = labels;
    for (std::size_t i = 0; i < buckets.size(); ++i)
        for (auto& [start, bucket] : buckets[i])
            results[i].points.emplace_back(static_cast<double>(start) / 1000.0, bucket.Value(request.agg));
    // Series without a point in the range say nothing; they are left out.
    std::erase_if(results, [](const SeriesResult& r) { return r.points.empty(); });
    return results;
}

}  // namespace gatehouse::metricstore
