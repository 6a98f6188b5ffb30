#include "metricstore/push_parse.hpp"

#include <algorithm>
#include <cmath>

#include "core/errc.hpp"
#include "core/time.hpp"

namespace gatehouse::metricstore {
namespace {

[[noreturn]] void Invalid(const std::string& why) { throw core::Error(core::errc::invalid_argument, why); }

// Either a sample or why it is refused.
std::optional<std::string> ReadSample(const boost::json::value& item, std::int64_t now_ms, const PushLimits& limits,
                                      Sample& sample) {
    if (!item.is_object()) return "a sample must be an object {name, labels, time, value}";
    const auto& object = item.as_object();
    for (const auto& [key, unused] : object)
        if (key != "name" && key != "labels" && key != "time" && key != "value")
            return "unknown field '" + std::string(key) + "'";
    const auto* name = object.if_contains("name");
    if (!name || !name->is_string() || !IsMetricName(name->as_string()))
        return "name must match [a-zA-Z_:][a-zA-Z0-9_:]* (at most 256 bytes)";
    sample.name = std::string(name->as_string());
    if (const auto* labels = object.if_contains("labels"); labels && !labels->is_null()) {
        if (!labels->is_object()) return "labels must be an object of strings";
        if (labels->as_object().size() > limits.max_labels)
            return "more than " + std::to_string(limits.max_labels) + " labels";
        for (const auto& [label, value] : labels->as_object()) {
            if (!IsLabelName(label)) return "label name '" + std::string(label).substr(0, 64) + "' is not valid";
            if (!value.is_string()) return "label '" + std::string(label) + "' must be a string";
            if (value.as_string().size() > limits.max_label_bytes)
                return "label '" + std::string(label) + "' is longer than " + std::to_string(limits.max_label_bytes) +
                       " bytes";
            sample.labels.emplace_back(std::string(label), std::string(value.as_string()));
        }
        std::sort(sample.labels.begin(), sample.labels.end());
    }
    const auto* time = object.if_contains("time");
    if (!time) return "time is missing";
    const auto ts = ParseTimeMs(*time);
    if (!ts) return "time must be Unix seconds or an RFC 3339 time";
    if (*ts > now_ms + limits.future_ms) return "time is more than 5 minutes in the future";
    if (*ts < limits.oldest_ms) return "time is older than the raw retention";
    sample.ts_ms = *ts;
    const auto* value = object.if_contains("value");
    if (!value || !value->is_number()) return "value must be a number";
    sample.value = value->to_number<double>();
    if (!std::isfinite(sample.value)) return "value must be finite";
    return std::nullopt;
}

}  // namespace

std::optional<std::int64_t> ParseTimeMs(const boost::json::value& time) {
    if (time.is_number()) {
        const double seconds = time.to_number<double>();
        // Unix seconds between 1970 and 2500.
        if (!std::isfinite(seconds) || seconds < 0 || seconds > 16725225600.0) return std::nullopt;
        return static_cast<std::int64_t>(std::llround(seconds * 1000.0));
    }
    if (time.is_string()) {
        const auto parsed = core::ParseRfc3339(time.as_string());
        if (!parsed) return std::nullopt;
        return std::chrono::duration_cast<std::chrono::milliseconds>(parsed->time_since_epoch()).count();
    }
    return std::nullopt;
}

Batch ParseBatch(const boost::json::value& body, std::int64_t now_ms, const PushLimits& limits,
                 std::string* agent_version) {
    if (!body.is_object()) Invalid("the body must be an object {batch_id, samples}");
    const auto& object = body.as_object();
    for (const auto& [key, unused] : object)
        if (key != "batch_id" && key != "samples" && key != "agent_version")
            Invalid("unknown field '" + std::string(key) + "': a push takes batch_id, samples and agent_version");
    Batch batch;
    const auto* id = object.if_contains("batch_id");
    if (!id || !id->is_string() || id->as_string().empty() || id->as_string().size() > 128)
        Invalid("field 'batch_id' must be a string of 1 to 128 characters");
    for (unsigned char ch : id->as_string())
        if (ch < 0x21 || ch == 0x7f) Invalid("field 'batch_id' must be printable characters without spaces");
    batch.batch_id = std::string(id->as_string());
    if (const auto* version = object.if_contains("agent_version")) {
        if (!version->is_string() || version->as_string().size() > 64)
            Invalid("field 'agent_version' must be a string of at most 64 characters");
        if (agent_version) *agent_version = std::string(version->as_string());
    }
    const auto* samples = object.if_contains("samples");
    if (!samples || !samples->is_array()) Invalid("field 'samples' must be an array");
    const auto& items = samples->as_array();
    if (items.size() > limits.max_samples)
        Invalid("field 'samples' holds " + std::to_string(items.size()) + " samples; a push takes at most " +
                std::to_string(limits.max_samples));
    batch.samples.reserve(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        Sample sample;
        if (auto why = ReadSample(items[i], now_ms, limits, sample))
            batch.rejected.push_back({i, std::move(*why)});
        else
            batch.samples.push_back(std::move(sample));
    }
    return batch;
}

}  // namespace gatehouse::metricstore
