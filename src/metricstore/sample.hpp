#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gatehouse::metricstore {

using Labels = std::vector<std::pair<std::string, std::string>>;  // sorted by name, names unique

struct Sample {
    std::string name;
    Labels labels;
    std::int64_t ts_ms = 0;
    double value = 0;
};

/// Metric and label names: [a-zA-Z_:][a-zA-Z0-9_:]*, at most 256 bytes.
bool IsMetricName(std::string_view name);
bool IsLabelName(std::string_view name);

/// The series id: the first 8 bytes of SHA-256(name, sorted labels) as a signed integer. Every instance and every
/// push computes the same id without asking the database.
std::int64_t SeriesId(std::string_view name, const Labels& labels);
/// Labels as a JSON object text with sorted keys: how a series' labels are stored.
std::string LabelsJson(const Labels& labels);
Labels ParseLabelsJson(std::string_view json);

/// One pushed batch after validation.
struct Rejection {
    std::size_t index = 0;
    std::string reason;
};
struct Batch {
    std::string batch_id;
    std::vector<Sample> samples;  // the accepted ones
    std::vector<Rejection> rejected;
};

/// Sample limits of a push.
struct PushLimits {
    std::size_t max_samples = 10000;
    std::size_t max_labels = 32;
    std::size_t max_label_bytes = 256;
    std::int64_t future_ms = 5 * 60 * 1000;  // times later than now + this are refused
    std::int64_t oldest_ms = 0;              // times before this (the raw retention) are refused
};

}  // namespace gatehouse::metricstore
