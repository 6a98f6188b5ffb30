#include "api/collector_handlers.hpp"

#include "api/collector_json.hpp"
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

constexpr std::string_view kEnrolmentPrefix = "gce_";

void NoteCollector(http::RequestContext& context, const std::string& id, json::object details = {}) {
    context.audit.resource_type = "collector";
    context.audit.resource_id = id;
    context.audit.details = std::move(details);
}

}  // namespace

boost::asio::awaitable<Response> CollectorHandlers::CreateEnrolmentToken(http::RequestContext& context) const {
    const auto& fields = RequireObject(http::ParseJsonBody(context));
    std::optional<std::int64_t> ttl;
    if (const auto* value = fields.if_contains("ttl_s"); value && !value->is_null())
        ttl = value->to_number<std::int64_t>();
    auto note = OptionalString(fields, "note", 256).value_or("");
    auto issued = co_await collectors.CreateEnrolmentToken(Caller(context).user_id, ttl, note);
    context.audit.resource_type = "collector_enrolment_token";
    context.audit.resource_id = issued.id;
    context.audit.details = {{"expires_at", issued.expires_at}, {"note", issued.note}};
    co_return http::Json(Status::created, {{"id", issued.id},
                                           {"token", issued.token},
                                           {"note", issued.note},
                                           {"created_at", issued.created_at},
                                           {"expires_at", issued.expires_at}});
}

boost::asio::awaitable<Response> CollectorHandlers::Register(http::RequestContext& context) const {
    auto bearer = BearerToken(context);
    if (!bearer)
        throw core::Error(core::errc::unauthenticated,
                          "send an enrolment token or an operator's API token as Authorization: Bearer");
    const auto& fields = RequireObject(http::ParseJsonBody(context));
    collectors::RegisterRequest request;
    request.name = RequireString(fields, "name", 128);
    request.hostname = RequireString(fields, "hostname", 253);
    request.csr = OptionalString(fields, "csr", 16384);
    if (request.csr && request.csr->empty()) request.csr.reset();
    const bool by_enrolment_token = bearer->starts_with(kEnrolmentPrefix);
    if (by_enrolment_token) {
        request.enrolment_token = std::move(*bearer);
    } else {
        auto principal = co_await identity.Authenticate(std::move(*bearer));
        const bool allowed = Allows(principal.role, http::Access::kOperator);
        request.created_by = principal.user_id;
        SetCaller(context, std::move(principal));
        if (!allowed) throw core::Error(core::errc::forbidden, "registering a collector needs the operator role");
    }
    context.audit.resource_type = "collector";
    auto registration = co_await collectors.Register(std::move(request));
    NoteCollector(context, registration.collector_id,
                  {{"name", RequireString(fields, "name", 128)},
                   {"hostname", RequireString(fields, "hostname", 253)},
                   {"with_csr", !registration.private_key.has_value()},
                   {"enrolment_token", by_enrolment_token}});
    co_return http::Created(RegistrationJson(registration), "/api/v1/collectors/" + registration.collector_id);
}

boost::asio::awaitable<Response> CollectorHandlers::List(http::RequestContext& context) const {
    auto page = co_await collectors.List(FilterParam(context, "status"), PageLimit(context),
                                         context.Query("cursor").value_or(""));
    json::array items;
    for (const auto& c : page.items) items.push_back(CollectorJson(c));
    co_return http::Json(Status::ok, {{"items", std::move(items)}, {"next_cursor", OptionalJson(page.next_cursor)}});
}

boost::asio::awaitable<Response> CollectorHandlers::Get(http::RequestContext& context) const {
    auto collector = co_await collectors.Get(std::string(context.Param("id")));
    co_return http::Json(Status::ok, CollectorJson(collector));
}

boost::asio::awaitable<Response> CollectorHandlers::Delete(http::RequestContext& context) const {
    const std::string id(context.Param("id"));
    auto collector = co_await collectors.Get(id);
    co_await collectors.Delete(id);
    NoteCollector(context, id, {{"name", collector.name}, {"hostname", collector.hostname}});
    co_return NoContent();
}

boost::asio::awaitable<Response> CollectorHandlers::GetConfig(http::RequestContext& context) const {
    auto config = co_await collectors.Config(std::string(context.Param("id")));
    co_return ConfigResponse(context, config);
}

boost::asio::awaitable<Response> CollectorHandlers::PutConfig(http::RequestContext& context) const {
    const std::string id(context.Param("id"));
    const auto& fields = RequireObject(http::ParseJsonBody(context));
    // A replace: groups not named keep their default interval.
    auto config = collectors::DefaultConfig("");
    if (const auto* intervals = fields.if_contains("intervals"); intervals && intervals->is_object())
        for (const auto& [group, seconds] : intervals->as_object()) config.intervals[group] = seconds;
    if (const auto* targets = fields.if_contains("postgres"); targets && targets->is_array())
        config.postgres = targets->as_array();
    auto stored = co_await collectors.SetConfig(id, std::move(config));
    NoteCollector(context, id, {{"config_version", stored.version}});
    co_return ConfigResponse(context, stored);
}

}  // namespace gatehouse::api
