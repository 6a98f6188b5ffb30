#pragma once

#include <boost/json/value.hpp>
#include <optional>

#include "metricstore/sample.hpp"

namespace gatehouse::metricstore {

/// Reads a push body `{batch_id, samples: [{name, labels, time, value}], agent_version?}`. A sample that breaks a
/// rule is rejected with its index and reason, the others are kept. Throws core::Error(invalid_argument) when the
/// body itself is malformed (no batch id, samples not an array, more than limits.max_samples, unknown fields).
Batch ParseBatch(const boost::json::value& body, std::int64_t now_ms, const PushLimits& limits,
                 std::string* agent_version = nullptr);

/// A time as Unix seconds (fractional allowed) or RFC 3339, in milliseconds; nullopt when it is neither.
std::optional<std::int64_t> ParseTimeMs(const boost::json::value& time);

}  // namespace gatehouse::metricstore
