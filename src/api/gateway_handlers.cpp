#include "api/gateway_handlers.hpp"

#include <boost/json/array.hpp>

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

json::object RouteJson(const gateway::RouteView& r) {
    json::array roles;
    for (auto role : r.allowed_roles) roles.emplace_back(auth::RoleName(role));
    json::object prices;
    for (const auto& [hours, credits] : r.prices) prices[std::to_string(hours)] = credits;
    json::array origins;
    for (const auto& origin : r.allowed_origins) origins.emplace_back(origin);
    json::object headers;
    for (const auto& [name, value] : r.extra_headers) headers[name] = value;
    return {{"id", r.id},
            {"slug", r.slug},
            {"name", r.name},
            {"upstream_url", r.upstream_url},
            {"host", OptionalJson(r.host)},
            {"path", "/gw/" + r.slug + "/"},
            {"allowed_roles", std::move(roles)},
            {"prices", std::move(prices)},
            {"websocket", r.websocket},
            {"rewrite", r.rewrite},
            {"pass_access_token_header", r.pass_access_token_header},
            {"identity_header", OptionalJson(r.identity_header)},
            {"allowed_origins", std::move(origins)},
            {"extra_headers", std::move(headers)},
            {"ca_file", OptionalJson(r.ca_file)},
            {"enabled", r.enabled},
            {"created_at", r.created_at},
            {"updated_at", r.updated_at}};
}

json::object TokenJson(const gateway::AccessTokenView& t, std::int64_t now_epoch) {
    return {{"id", t.id},
            {"user_id", t.user_id},
            {"route", t.route_slug},
            {"route_id", t.route_id},
            {"duration_hours", t.duration_hours},
            {"price", t.price},
            {"created_at", t.created_at},
            {"expires_at", t.expires_at},
            {"revoked_at", OptionalJson(t.revoked_at)},
            {"refunded", t.refunded},
            {"active", !t.revoked_at && now_epoch < t.expires_epoch}};
}

json::object TransactionJson(const gateway::WalletTransaction& tx) {
    return {{"id", tx.id},
            {"user_id", tx.user_id},
            {"kind", gateway::Name(tx.kind)},
            {"amount", tx.amount},
            {"balance_after", tx.balance_after},
            {"token_id", OptionalJson(tx.token_id)},
            {"note", tx.note},
            {"created_by", tx.created_by},
            {"created_at", tx.created_at}};
}

json::object SessionJson(const gateway::SessionView& s) {
    return {{"token_id", s.token_id},
            {"user_id", s.user_id},
            {"route_id", s.route_id},
            {"first_seen", s.first_seen},
            {"last_seen", s.last_seen},
            {"requests", s.requests},
            {"bytes_in", s.bytes_in},
            {"bytes_out", s.bytes_out},
            {"client_address", s.client_address},
            {"user_agent", s.user_agent},
            {"open_websockets", s.open_websockets}};
}

std::vector<std::string> Strings(const json::object& body, std::string_view field) {
    std::vector<std::string> out;
    if (const auto* value = body.if_contains(field); value && value->is_array())
        for (const auto& item : value->get_array()) out.emplace_back(item.get_string());
    return out;
}

// A create or a full replace: every field not given takes its default (the body was checked against its schema).
gateway::RouteInput ReadRoute(const json::value& body) {
    const auto& fields = RequireObject(body);
    gateway::RouteInput in;
    in.slug = RequireString(fields, "slug", 63);
    in.name = RequireString(fields, "name", 200);
    in.upstream_url = RequireString(fields, "upstream_url", 2048);
    in.host = OptionalString(fields, "host", 253);
    if (in.host && in.host->empty()) in.host.reset();
    if (fields.contains("allowed_roles") && !fields.at("allowed_roles").is_null()) {
        for (const auto& name : Strings(fields, "allowed_roles")) {
            const auto role = auth::ParseRole(name);
            if (!role)
                throw core::Error(core::errc::invalid_argument,
                                  "field 'allowed_roles' may hold admin, operator and viewer only");
            if (std::find(in.allowed_roles.begin(), in.allowed_roles.end(), *role) == in.allowed_roles.end())
                in.allowed_roles.push_back(*role);
        }
    } else {
        in.allowed_roles = {auth::Role::viewer, auth::Role::operator_, auth::Role::admin};
    }
    if (const auto* prices = fields.if_contains("prices"); prices && prices->is_object())
        for (const auto& [hours, credits] : prices->get_object())
            if (!credits.is_null()) in.prices[std::stoi(std::string(hours))] = credits.get_int64();
    in.websocket = OptionalBool(fields, "websocket").value_or(true);
    in.rewrite = OptionalBool(fields, "rewrite").value_or(false);
    in.pass_access_token_header = OptionalBool(fields, "pass_access_token_header").value_or(false);
    in.identity_header = OptionalString(fields, "identity_header", 100);
    if (in.identity_header && in.identity_header->empty()) in.identity_header.reset();
    in.allowed_origins = Strings(fields, "allowed_origins");
    if (const auto* headers = fields.if_contains("extra_headers"); headers && headers->is_object())
        for (const auto& [name, value] : headers->get_object())
            in.extra_headers.emplace_back(std::string(name), std::string(value.get_string()));
    in.ca_file = OptionalString(fields, "ca_file", 4096);
    if (in.ca_file && in.ca_file->empty()) in.ca_file.reset();
    in.enabled = OptionalBool(fields, "enabled").value_or(true);
    return in;
}

// The fields of a stored route as a PUT takes them, for PATCH to lay the given ones over.
json::object ReplaceFields(const gateway::RouteView& route) {
    auto all = RouteJson(route);
    for (const auto* bookkeeping : {"id", "path", "created_at", "updated_at"}) all.erase(bookkeeping);
    return all;
}

void NoteRoute(http::RequestContext& context, const gateway::RouteView& route) {
    context.audit.resource_type = "gateway_route";
    context.audit.resource_id = route.id;
    context.audit.details = {{"slug", route.slug}, {"upstream_url", route.upstream_url}, {"enabled", route.enabled}};
}

// The user whose wallet a request is about: the caller's, or (admins only) the one `?user_id=` names.
std::string WalletOwner(const http::RequestContext& context) {
    const auto& caller = Caller(context);
    const auto asked = FilterParam(context, "user_id");
    if (!asked || *asked == caller.user_id) return caller.user_id;
    if (caller.role != auth::Role::admin)
        throw core::Error(core::errc::forbidden, "only admins may read another user's wallet");
    return *asked;
}

}  // namespace

boost::asio::awaitable<Response> GatewayHandlers::ListRoutes(http::RequestContext& context) const {
    auto page = co_await gateway.ListRoutes(PageLimit(context), context.Query("cursor").value_or(""));
    json::array items;
    for (const auto& route : page.items) items.push_back(RouteJson(route));
    co_return http::Json(Status::ok, {{"items", std::move(items)}, {"next_cursor", OptionalJson(page.next_cursor)}});
}

boost::asio::awaitable<Response> GatewayHandlers::GetRoute(http::RequestContext& context) const {
    auto route = co_await gateway.GetRoute(std::string(context.Param("id")));
    co_return http::Json(Status::ok, RouteJson(route));
}

boost::asio::awaitable<Response> GatewayHandlers::CreateRoute(http::RequestContext& context) const {
    context.audit.resource_type = "gateway_route";
    auto route = co_await gateway.CreateRoute(ReadRoute(http::ParseJsonBody(context)));
    NoteRoute(context, route);
    co_return http::Created(RouteJson(route), "/api/v1/gateway/routes/" + route.id);
}

boost::asio::awaitable<Response> GatewayHandlers::ReplaceRoute(http::RequestContext& context) const {
    const std::string id(context.Param("id"));
    json::value body = http::ParseJsonBody(context);
    if (context.request.method() == http::Verb::patch) {
        const auto stored = co_await gateway.GetRoute(id);
        auto merged = ReplaceFields(stored);
        for (const auto& [key, value] : RequireObject(body)) merged[key] = value;
        body = std::move(merged);
    }
    auto route = co_await gateway.UpdateRoute(id, ReadRoute(body));
    NoteRoute(context, route);
    co_return http::Json(Status::ok, RouteJson(route));
}

boost::asio::awaitable<Response> GatewayHandlers::DeleteRoute(http::RequestContext& context) const {
    auto route = co_await gateway.DeleteRoute(std::string(context.Param("id")));
    NoteRoute(context, route);
    co_return NoContent();
}

boost::asio::awaitable<Response> GatewayHandlers::BuyToken(http::RequestContext& context) const {
    const auto& fields = RequireObject(http::ParseJsonBody(context));
    gateway::PurchaseRequest request;
    request.buyer = Caller(context);
    request.route = RequireString(fields, "route", 128);
    request.duration_hours = static_cast<int>(fields.at("duration_hours").as_int64());
    request.idempotency_key = OptionalString(fields, "idempotency_key", 200);
    context.audit.resource_type = "access_token";
    context.audit.details = {{"route", request.route}, {"duration_hours", request.duration_hours}};
    auto outcome = co_await gateway.Buy(std::move(request));
    const auto& view = outcome.purchase.token_view;
    context.audit.resource_id = view.id;
    context.audit.details["price"] = view.price;
    context.audit.details["route_id"] = view.route_id;
    if (outcome.replayed) context.audit.details["replayed"] = true;
    json::object body = TokenJson(view, core::EpochSeconds());
    body["token"] = outcome.purchase.token;
    co_return http::Created(body, "/api/v1/access-tokens/" + view.id);
}

boost::asio::awaitable<Response> GatewayHandlers::ListTokens(http::RequestContext& context) const {
    const auto& caller = Caller(context);
    gateway::TokenFilter filter;
    filter.active_only = context.Query("active_only").value_or("") == "true";
    filter.route = FilterParam(context, "route");
    const bool all = context.Query("all").value_or("") == "true";
    if (all && caller.role != auth::Role::admin)
        throw core::Error(core::errc::forbidden, "only admins may list everyone's access tokens");
    if (!all) filter.user_id = caller.user_id;
    auto page =
        co_await gateway.ListTokens(std::move(filter), PageLimit(context), context.Query("cursor").value_or(""));
    const auto now = core::EpochSeconds();
    json::array items;
    for (const auto& token : page.items) items.push_back(TokenJson(token, now));
    co_return http::Json(Status::ok, {{"items", std::move(items)}, {"next_cursor", OptionalJson(page.next_cursor)}});
}

boost::asio::awaitable<Response> GatewayHandlers::RevokeToken(http::RequestContext& context) const {
    context.audit.resource_type = "access_token";
    auto revocation = co_await gateway.Revoke(Caller(context), std::string(context.Param("id")));
    context.audit.details = {{"route_id", revocation.token_view.route_id},
                             {"user_id", revocation.token_view.user_id},
                             {"refund", revocation.refund}};
    auto body = TokenJson(revocation.token_view, core::EpochSeconds());
    body["refund"] = revocation.refund;
    co_return http::Json(Status::ok, body);
}

boost::asio::awaitable<Response> GatewayHandlers::Wallet(http::RequestContext& context) const {
    const auto user_id = WalletOwner(context);
    const auto balance = co_await gateway.Balance(user_id);
    co_return http::Json(Status::ok, {{"user_id", user_id}, {"balance", balance}});
}

boost::asio::awaitable<Response> GatewayHandlers::Transactions(http::RequestContext& context) const {
    const auto user_id = WalletOwner(context);
    auto page = co_await gateway.Transactions(user_id, PageLimit(context), context.Query("cursor").value_or(""));
    json::array items;
    for (const auto& tx : page.items) items.push_back(TransactionJson(tx));
    co_return http::Json(Status::ok, {{"items", std::move(items)}, {"next_cursor", OptionalJson(page.next_cursor)}});
}

boost::asio::awaitable<Response> GatewayHandlers::TopUp(http::RequestContext& context) const {
    const auto& fields = RequireObject(http::ParseJsonBody(context));
    gateway::TopUp request;
    request.user_id = RequireString(fields, "user_id", 128);
    request.amount = fields.at("amount").as_int64();
    request.note = OptionalString(fields, "note", 500).value_or("");
    request.created_by = Caller(context).user_id;
    context.audit.resource_type = "wallet";
    context.audit.resource_id = request.user_id;
    context.audit.details = {{"amount", request.amount}, {"note", request.note}};
    auto tx = co_await gateway.TopUp(std::move(request));
    context.audit.details["balance_after"] = tx.balance_after;
    co_return http::Created(TransactionJson(tx), "/api/v1/wallet/transactions?user_id=" + tx.user_id);
}

boost::asio::awaitable<Response> GatewayHandlers::Sessions(http::RequestContext& context) const {
    const auto& caller = Caller(context);
    std::optional<std::string> user_id;
    if (caller.role != auth::Role::admin) user_id = caller.user_id;
    auto sessions = co_await gateway.Sessions(user_id, PageLimit(context));
    json::array items;
    for (const auto& session : sessions) items.push_back(SessionJson(session));
    co_return http::Json(Status::ok, {{"items", std::move(items)}});
}

}  // namespace gatehouse::api
