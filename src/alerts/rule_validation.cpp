#include <boost/url/parse.hpp>
#include <cmath>

#include "alerts/alert_service.hpp"
#include "core/errc.hpp"
#include "metricstore/query.hpp"

namespace gatehouse::alerts {
namespace {

[[noreturn]] void Invalid(const std::string& field, const std::string& why) {
    throw core::Error(core::errc::invalid_argument, "field '" + field + "' " + why);
}

template <class Choices>
bool OneOf(const std::string& value, const Choices& choices) {
    for (const char* choice : choices)
        if (value == choice) return true;
    return false;
}

void CheckLabels(const std::string& field, const Labels& labels) {
    if (labels.size() > 32) Invalid(field, "may hold at most 32 labels");
    for (const auto& [name, value] : labels) {
        if (!metricstore::IsLabelName(name)) Invalid(field + "." + name, "is not a valid label name");
        if (value.size() > 1024) Invalid(field + "." + name, "is longer than 1024 bytes");
    }
}

}  // namespace

void ValidateRule(const Rule& r) {
    if (r.name.empty() || r.name.size() > 200) Invalid("name", "must be 1 to 200 characters");
    if (!metricstore::IsMetricName(r.expr.name)) Invalid("expr.name", "must be a metric name");
    CheckLabels("expr.match", r.expr.match);
    if (!OneOf(r.expr.agg, metricstore::kAggregations))
        Invalid("expr.agg", "must be avg, min, max, sum, count, last or p95");
    if (r.expr.window_s < 1 || r.expr.window_s > 7 * 86400) Invalid("expr.window_s", "must be 1 to 604800 seconds");
    if (!OneOf(r.op, kOperators)) Invalid("op", "must be >, >=, <, <=, == or !=");
    if (!std::isfinite(r.threshold)) Invalid("threshold", "must be a finite number");
    if (r.for_s < 0 || r.for_s > 7 * 86400) Invalid("for_s", "must be 0 to 604800 seconds");
    if (!OneOf(r.severity, kSeverities)) Invalid("severity", "must be info, warning or critical");
    CheckLabels("labels", r.labels);
    CheckLabels("annotations", r.annotations);
    if (r.repeat_interval_s < 1 || r.repeat_interval_s > 30 * 86400)
        Invalid("repeat_interval_s", "must be 1 to 2592000 seconds");
    if (r.webhook_url) {
        const auto parsed = boost::urls::parse_uri(*r.webhook_url);
        if (r.webhook_url->size() > 2048 || !parsed || (parsed->scheme() != "http" && parsed->scheme() != "https") ||
            parsed->host().empty() || parsed->has_userinfo() || parsed->has_fragment())
            Invalid("webhook_url", "must be an http(s) URL without credentials or fragment");
    }
}

}  // namespace gatehouse::alerts
