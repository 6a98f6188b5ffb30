#include "api/alert_handlers.hpp"

#include <boost/json/array.hpp>

#include "alerts/alert_json.hpp"
#include "api/gatekeeper.hpp"
#include "api/json_fields.hpp"
#include "core/errc.hpp"
#include "http/json_body.hpp"
#include "http/problem.hpp"

namespace gatehouse::api {

using http::Response;
using http::Status;
namespace json = boost::json;

namespace {

[[noreturn]] void Invalid(const std::string& why) { throw core::Error(core::errc::invalid_argument, why); }

alerts::Labels LabelsField(const json::object& fields, std::string_view field) {
    alerts::Labels labels;
    const auto* value = fields.if_contains(field);
    if (!value || value->is_null()) return labels;
    if (!value->is_object()) Invalid("field '" + std::string(field) + "' must be an object of strings");
    for (const auto& [name, text] : value->as_object()) {
        if (!text.is_string()) Invalid("field '" + std::string(field) + "." + std::string(name) + "' must be a string");
        labels.emplace_back(std::string(name), std::string(text.as_string()));
    }
    std::sort(labels.begin(), labels.end());
    return labels;
}

std::int64_t IntField(const json::object& fields, std::string_view field, std::int64_t fallback) {
    const auto* value = fields.if_contains(field);
    if (!value || value->is_null()) return fallback;
    if (!value->is_int64() && !value->is_uint64()) Invalid("field '" + std::string(field) + "' must be an integer");
    return value->to_number<std::int64_t>();
}

// A create or a full replace: every field not given takes its default.
alerts::RuleInput ReadRule(const json::value& body) {
    const auto& fields = RequireObject(body);
    OnlyFields(fields, {"name", "expr", "op", "threshold", "for_s", "severity", "labels", "annotations", "webhook_url",
                        "webhook_secret", "repeat_interval_s", "enabled"});
    alerts::RuleInput in;
    auto& r = in.rule;
    r.name = RequireString(fields, "name", 200);
    const auto* expr = fields.if_contains("expr");
    if (!expr || !expr->is_object()) Invalid("field 'expr' must be an object {name, match, agg, window_s}");
    const auto& e = expr->as_object();
    OnlyFields(e, {"name", "match", "agg", "window_s"});
    r.expr.name = RequireString(e, "name", 256);
    r.expr.match = LabelsField(e, "match");
    r.expr.agg = OptionalString(e, "agg", 16).value_or("avg");
    r.expr.window_s = IntField(e, "window_s", 60);
    r.op = RequireString(fields, "op", 2);
    const auto* threshold = fields.if_contains("threshold");
    if (!threshold || !threshold->is_number()) Invalid("field 'threshold' must be a number");
    r.threshold = threshold->to_number<double>();
    r.for_s = IntField(fields, "for_s", 0);
    r.severity = OptionalString(fields, "severity", 16).value_or("warning");
    r.labels = LabelsField(fields, "labels");
    r.annotations = LabelsField(fields, "annotations");
    r.webhook_url = OptionalString(fields, "webhook_url", 2048);
    if (r.webhook_url && r.webhook_url->empty()) r.webhook_url.reset();
    in.webhook_secret = OptionalString(fields, "webhook_secret", 256);
    if (in.webhook_secret && in.webhook_secret->size() < 16)
        Invalid("field 'webhook_secret' must be at least 16 characters");
    r.repeat_interval_s = IntField(fields, "repeat_interval_s", 3600);
    r.enabled = OptionalBool(fields, "enabled").value_or(true);
    return in;
}

json::object SavedJson(const alerts::AlertService::Saved& saved) {
    auto body = alerts::RuleJson(saved.rule);
    if (saved.webhook_secret) body["webhook_secret"] = *saved.webhook_secret;
    return body;
}

void NoteRule(http::RequestContext& context, const alerts::Rule& rule) {
    context.audit.resource_type = "alert_rule";
    context.audit.resource_id = rule.id;
    context.audit.details = {{"name", rule.name}, {"enabled", rule.enabled}};
}

}  // namespace

boost::asio::awaitable<Response> AlertHandlers::ListRules(http::RequestContext& context) const {
    auto page = co_await alerts.ListRules(PageLimit(context), context.Query("cursor").value_or(""));
    json::array items;
    for (const auto& rule : page.items) items.push_back(alerts::RuleJson(rule));
    co_return http::Json(Status::ok, {{"items", std::move(items)}, {"next_cursor", OptionalJson(page.next_cursor)}});
}

boost::asio::awaitable<Response> AlertHandlers::GetRule(http::RequestContext& context) const {
    auto rule = co_await alerts.GetRule(std::string(context.Param("id")));
    co_return http::Json(Status::ok, alerts::RuleJson(rule));
}

boost::asio::awaitable<Response> AlertHandlers::CreateRule(http::RequestContext& context) const {
    context.audit.resource_type = "alert_rule";
    auto saved = co_await alerts.CreateRule(ReadRule(http::ParseJsonBody(context)));
    NoteRule(context, saved.rule);
    co_return http::Created(SavedJson(saved), "/api/v1/alert-rules/" + saved.rule.id);
}

boost::asio::awaitable<Response> AlertHandlers::ReplaceRule(http::RequestContext& context) const {
    auto saved = co_await alerts.ReplaceRule(std::string(context.Param("id")), ReadRule(http::ParseJsonBody(context)));
    NoteRule(context, saved.rule);
    co_return http::Json(Status::ok, SavedJson(saved));
}

boost::asio::awaitable<Response> AlertHandlers::DeleteRule(http::RequestContext& context) const {
    auto rule = co_await alerts.DeleteRule(std::string(context.Param("id")));
    NoteRule(context, rule);
    co_return NoContent();
}

boost::asio::awaitable<Response> AlertHandlers::ListAlerts(http::RequestContext& context) const {
    alerts::AlertFilter filter{FilterParam(context, "state"), FilterParam(context, "severity"),
                               FilterParam(context, "rule_id")};
    auto page = co_await alerts.ListAlerts(std::move(filter), PageLimit(context), context.Query("cursor").value_or(""));
    json::array items;
    for (const auto& alert : page.items) items.push_back(alerts::AlertJson(alert));
    co_return http::Json(Status::ok, {{"items", std::move(items)}, {"next_cursor", OptionalJson(page.next_cursor)}});
}

boost::asio::awaitable<Response> AlertHandlers::GetAlert(http::RequestContext& context) const {
    auto detail = co_await alerts.GetAlert(std::string(context.Param("id")));
    auto body = alerts::AlertJson(detail.alert);
    json::array history, deliveries;
    for (const auto& e : detail.history) history.push_back(alerts::EventJson(e));
    for (const auto& d : detail.deliveries) deliveries.push_back(alerts::DeliveryJson(d));
    body["history"] = std::move(history);
    body["deliveries"] = std::move(deliveries);
    co_return http::Json(Status::ok, body);
}

boost::asio::awaitable<Response> AlertHandlers::Acknowledge(http::RequestContext& context) const {
    const std::string id(context.Param("id"));
    std::string comment;
    if (!context.request.body().empty())
        comment = OptionalString(RequireObject(http::ParseJsonBody(context)), "comment", 2000).value_or("");
    auto alert = co_await alerts.Acknowledge(id, Caller(context).user_id, comment);
    context.audit.resource_type = "alert";
    context.audit.resource_id = id;
    context.audit.details = {{"rule_id", alert.rule_id}, {"comment", comment}};
    co_return http::Json(Status::ok, alerts::AlertJson(alert));
}

}  // namespace gatehouse::api
