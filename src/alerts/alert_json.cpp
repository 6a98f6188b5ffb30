#include "alerts/alert_json.hpp"

namespace gatehouse::alerts {
namespace {

namespace json = boost::json;

json::value Opt(const std::optional<std::string>& v) { return v ? json::value(*v) : json::value(nullptr); }
json::value Opt(const std::optional<double>& v) { return v ? json::value(*v) : json::value(nullptr); }

}  // namespace

json::object LabelsObject(const Labels& labels) {
    json::object object;
    for (const auto& [name, value] : labels) object[name] = value;
    return object;
}

json::object RuleJson(const Rule& r) {
    return {{"id", r.id},
            {"name", r.name},
            {"expr",
             {{"name", r.expr.name},
              {"match", LabelsObject(r.expr.match)},
              {"agg", r.expr.agg},
              {"window_s", r.expr.window_s}}},
            {"op", r.op},
            {"threshold", r.threshold},
            {"for_s", r.for_s},
            {"severity", r.severity},
            {"labels", LabelsObject(r.labels)},
            {"annotations", LabelsObject(r.annotations)},
            {"webhook_url", Opt(r.webhook_url)},
            {"webhook_secret_set", r.webhook_secret_set},
            {"repeat_interval_s", r.repeat_interval_s},
            {"enabled", r.enabled},
            {"builtin", r.builtin},
            {"created_at", r.created_at},
            {"updated_at", r.updated_at}};
}

json::object AlertJson(const Alert& a) {
    return {{"id", a.id},
            {"rule_id", a.rule_id},
            {"rule_name", a.rule_name},
            {"state", a.state},
            {"severity", a.severity},
            {"labels", LabelsObject(a.labels)},
            {"value", Opt(a.value)},
            {"started_at", a.started_at},
            {"fired_at", Opt(a.fired_at)},
            {"resolved_at", Opt(a.resolved_at)},
            {"acknowledged", a.acknowledged_at.has_value()},
            {"acknowledged_at", Opt(a.acknowledged_at)},
            {"acknowledged_by", Opt(a.acknowledged_by)},
            {"ack_comment", Opt(a.ack_comment)},
            {"updated_at", a.updated_at}};
}

json::object EventJson(const AlertEvent& e) {
    return {{"id", e.id}, {"state", e.state}, {"value", Opt(e.value)}, {"note", e.note}, {"at", e.at}};
}

json::object DeliveryJson(const Delivery& d) {
    return {{"id", d.id},
            {"event", d.event},
            {"url", d.url},
            {"attempt", d.attempt},
            {"status", d.status ? json::value(*d.status) : json::value(nullptr)},
            {"error", Opt(d.error)},
            {"at", d.at}};
}

}  // namespace gatehouse::alerts
