#include "api/alert_handlers.hpp"
#include "api/collector_handlers.hpp"
#include "api/collector_push_handlers.hpp"
#include "api/metric_handlers.hpp"
#include "api/route_helpers.hpp"
#include "api/route_table.hpp"
#include "collectors/collector_types.hpp"
#include "metricstore/query.hpp"

namespace gatehouse::api {

using http::Access;
using http::Verb;
using namespace routes;

namespace {

http::BodySchema FreeForm(boost::json::value example) {
    http::BodySchema body;
    body.free_form = true;
    body.example = std::move(example);
    return body;
}

std::vector<http::QueryParam> MetricSelector(bool name_required) {
    return {http::StringQuery("name", name_required ? "Metric name (required)" : "Metric name"),
            http::StringQuery("match[]", "match[label]=value: series whose label has this value (repeatable)")};
}

}  // namespace

void AddCollectorRoutes(http::Router& router, Services& s) {
    auto col = std::make_shared<CollectorHandlers>(CollectorHandlers{s.collectors, s.identity});
    auto met = std::make_shared<MetricHandlers>(MetricHandlers{s.metric_store});
    using C = CollectorHandlers;
    using M = MetricHandlers;
    using http::BoolField, http::IntField, http::StringField;
    const http::BodySchema enrolment_body{
        {IntField("ttl_s", "Seconds the token is valid (default collectors.enrolment_token_ttl_s)", 60, 30 * 86400),
         StringField("note", "What the token is for", 256)},
        false,
        true};
    const http::BodySchema register_body{
        {StringField("name", "Collector name", 128).Required(), StringField("hostname", "Its host", 253).Required(),
         StringField("csr", "PEM certificate signing request (then no private key crosses the wire)", 16384)}};
    static constexpr std::string_view kStatuses[] = {"pending", "online", "offline", "expired"};
    auto list_query = Takes(Tag("collectors"), Paged({http::ChoiceQuery("status", "Collector status", kStatuses)}));
    static constexpr std::string_view kAggs[] = {"avg", "min", "max", "sum", "count", "last", "p95"};
    auto selector = MetricSelector(true);
    selector.push_back(http::StringQuery(
        "from", "Start: Unix seconds, RFC 3339, or negative seconds from now (default: an hour before 'to')"));
    selector.push_back(
        http::StringQuery("to", "End: Unix seconds, RFC 3339, or negative seconds from now (default: now)"));
    selector.push_back(http::IntQuery("step", "Seconds per point (default: about 240 points)", 1, 366 * 86400));
    selector.push_back(http::ChoiceQuery("agg", "Aggregation per step (default avg)", kAggs));
    selector.push_back(http::StringQuery("group_by", "Comma-separated labels to aggregate series by"));
    auto series_query = Paged(MetricSelector(false));
    const boost::json::value config_example = {
        {"intervals", {{"connections", 15}, {"database_size", 300}}},
        {"postgres", {{{"name", "main"}, {"url", "postgresql://monitor@127.0.0.1/postgres"}}}}};
    // clang-format off
    router.Add(Returns("EnrolmentToken", {Verb::post, "/api/v1/collectors/enrolment-tokens", Access::kOperator, Bind(col, &C::CreateEnrolmentToken), "Create a one-time enrolment token for a collector (shown once)", Answers(http::Status::created, Accepts(Tag("collectors", "collector.enrolment_token"), enrolment_body))}));
    router.Add(Returns("CollectorRegistration", {Verb::post, "/api/v1/collectors/register", Access::kPublic, Bind(col, &C::Register), "Enrol a collector (Bearer: an enrolment token or an operator's token): its client certificate, CA and token", Answers(http::Status::created, Accepts(Tag("collectors", "collector.register"), register_body))}));
    router.Add(Returns("CollectorPage", {Verb::get, "/api/v1/collectors", Access::kViewer, Bind(col, &C::List), "List collectors", list_query}));
    router.Add(Returns("Collector", {Verb::get, "/api/v1/collectors/{id}", Access::kViewer, Bind(col, &C::Get), "A collector: last push, samples accepted and rejected, certificate expiry, version", Tag("collectors")}));
    router.Add({Verb::delete_, "/api/v1/collectors/{id}", Access::kOperator, Bind(col, &C::Delete), "Delete a collector: its certificate is refused from its next connection", Answers(http::Status::no_content, Tag("collectors", "collector.delete"))});
    router.Add(Returns("CollectorConfig", {Verb::get, "/api/v1/collectors/{id}/config", Access::kViewer, Bind(col, &C::GetConfig), "A collector's config (ETag; If-None-Match answers 304)", Tag("collectors")}));
    router.Add(Returns("CollectorConfig", {Verb::put, "/api/v1/collectors/{id}/config", Access::kOperator, Bind(col, &C::PutConfig), "Replace a collector's config: intervals per metric group and PostgreSQL targets (version + 1)", Accepts(Tag("collectors", "collector.config_update"), FreeForm(config_example))}));
    router.Add(Returns("MetricQuery", {Verb::get, "/api/v1/metrics/query", Access::kViewer, Bind(met, &M::Query), "Range query: points per step aggregated, from the coarsest resolution that serves the step", Takes(Tag("metrics"), selector)}));
    router.Add(Returns("MetricLatest", {Verb::get, "/api/v1/metrics/latest", Access::kViewer, Bind(met, &M::Latest), "The newest sample of each matching series", Takes(Tag("metrics"), MetricSelector(true))}));
    router.Add(Returns("MetricSeriesPage", {Verb::get, "/api/v1/metrics/series", Access::kViewer, Bind(met, &M::Series), "Series: names and label sets", Takes(Tag("metrics"), series_query)}));
    // clang-format on
    AddAlertRoutes(router, s);
}

void AddAlertRoutes(http::Router& router, Services& s) {
    auto al = std::make_shared<AlertHandlers>(AlertHandlers{s.alerts});
    using A = AlertHandlers;
    static constexpr std::string_view kStates[] = {"pending", "firing", "resolved"};
    static constexpr std::string_view kSeverities[] = {"info", "warning", "critical"};
    auto alert_query = Takes(Tag("alerts"), Paged({http::ChoiceQuery("state", "Alert state", kStates),
                                                   http::ChoiceQuery("severity", "Severity", kSeverities),
                                                   http::StringQuery("rule_id", "Alerts of this rule")}));
    const boost::json::value rule_example = {{"name", "Connections over 80%"},
                                             {"expr",
                                              {{"name", "gatehouse_pg_connections_used_ratio"},
                                               {"match", boost::json::object{}},
                                               {"agg", "avg"},
                                               {"window_s", 60}}},
                                             {"op", ">"},
                                             {"threshold", 0.8},
                                             {"for_s", 30},
                                             {"severity", "warning"},
                                             {"webhook_url", "https://hooks.example/alerts"}};
    http::BodySchema ack_body{{http::StringField("comment", "Why, or what is being done", 2000)}, false, true};
    // clang-format off
    router.Add(Returns("AlertRulePage", {Verb::get, "/api/v1/alert-rules", Access::kViewer, Bind(al, &A::ListRules), "List alert rules (the built-in PostgreSQL rules ship disabled)", Takes(Tag("alerts"), Paged())}));
    router.Add(Returns("AlertRuleSaved", {Verb::post, "/api/v1/alert-rules", Access::kOperator, Bind(al, &A::CreateRule), "Create an alert rule (a generated webhook secret is shown once)", Answers(http::Status::created, Accepts(Tag("alerts", "alert_rule.create"), FreeForm(rule_example)))}));
    router.Add(Returns("AlertRule", {Verb::get, "/api/v1/alert-rules/{id}", Access::kViewer, Bind(al, &A::GetRule), "An alert rule", Tag("alerts")}));
    router.Add(Returns("AlertRuleSaved", {Verb::put, "/api/v1/alert-rules/{id}", Access::kOperator, Bind(al, &A::ReplaceRule), "Replace an alert rule", Accepts(Tag("alerts", "alert_rule.update"), FreeForm(rule_example))}));
    router.Add({Verb::delete_, "/api/v1/alert-rules/{id}", Access::kOperator, Bind(al, &A::DeleteRule), "Delete an alert rule and its alerts", Answers(http::Status::no_content, Tag("alerts", "alert_rule.delete"))});
    router.Add(Returns("AlertPage", {Verb::get, "/api/v1/alerts", Access::kViewer, Bind(al, &A::ListAlerts), "Alerts, newest first", alert_query}));
    router.Add(Returns("AlertDetail", {Verb::get, "/api/v1/alerts/{id}", Access::kViewer, Bind(al, &A::GetAlert), "An alert with its history of state changes and its webhook deliveries", Tag("alerts")}));
    router.Add(Returns("Alert", {Verb::post, "/api/v1/alerts/{id}/acknowledge", Access::kOperator, Bind(al, &A::Acknowledge), "Acknowledge an alert: no more repeat notifications; it stays firing until it resolves", Accepts(Tag("alerts", "alert.acknowledge"), ack_body)}));
    // clang-format on
}

void BuildCollectorListenerRoutes(http::Router& router, collectors::CollectorService& collectors,
                                  metricstore::MetricService& metrics) {
    auto push = std::make_shared<CollectorPushHandlers>(CollectorPushHandlers{collectors, metrics});
    using P = CollectorPushHandlers;
    auto push_options = Accepts(Tag("collectors"), FreeForm({{"batch_id", "b-1"}, {"samples", boost::json::array{}}}));
    push_options.max_body_bytes = 32 * 1024 * 1024;
    http::BodySchema renew_body{{http::StringField("csr", "PEM certificate signing request", 16384)}, false, true};
    // clang-format off
    router.Add({Verb::post, "/api/v1/metrics", Access::kPublic, Bind(push, &P::Push), "Push samples (client certificate and collector token)", push_options});
    router.Add({Verb::post, "/api/v1/collectors/{id}/renew", Access::kPublic, Bind(push, &P::Renew), "A new certificate and token (client certificate)", Accepts(Tag("collectors"), renew_body)});
    router.Add({Verb::get, "/api/v1/collectors/{id}/config", Access::kPublic, Bind(push, &P::Config), "The collector's config (client certificate and collector token)", Tag("collectors")});
    // clang-format on
}

}  // namespace gatehouse::api
