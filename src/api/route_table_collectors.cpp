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
    selector.push_back(http::StringQuery("from", "Start: Unix seconds or RFC 3339 (default: an hour before 'to')"));
    selector.push_back(http::StringQuery("to", "End: Unix seconds or RFC 3339 (default: now)"));
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
