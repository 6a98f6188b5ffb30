#include "api/gatekeeper.hpp"

#include <boost/beast/core/string.hpp>

#include "http/router.hpp"

namespace gatehouse::api {

std::optional<std::string> BearerToken(const http::RequestContext& context) {
    const auto header = context.Header("Authorization");
    if (header.size() < 8 || header.size() > 4096 || !boost::beast::iequals(header.substr(0, 7), "Bearer "))
        return std::nullopt;
    auto token = header.substr(7);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    if (token.empty()) return std::nullopt;
    for (char ch : token)
        if (ch <= ' ' || ch > '~') return std::nullopt;
    return std::string(token);
}

boost::asio::awaitable<auth::Principal> ApiGatekeeper::Authenticate(http::RequestContext& context) {
    auto token = BearerToken(context);
    // Browsers cannot set headers on a WebSocket: an upgrade may carry the access token in the
    // query (the access log redacts it).
    if (!token && boost::beast::iequals(context.Header("Upgrade"), "websocket")) {
        token = context.Query("access_token");
        if (token && (token->empty() || token->size() > 4096)) token.reset();
    }
    if (!token) throw core::Error(core::errc::unauthenticated, "missing or malformed Authorization: Bearer header");
    co_return co_await identity_.Authenticate(std::move(*token));
}

namespace {

std::string ResourceType(const http::Route& route) {
    // "/api/v1/ssh-keys/{id}/deploy" -> "ssh-keys"
    const auto& segments = route.segments();
    const std::size_t start = segments.size() > 2 && segments[0].text == "api" ? 2 : 0;
    return start < segments.size() && segments[start].kind == http::Route::Segment::kLiteral ? segments[start].text
                                                                                             : "";
}

}  // namespace

void ApiGatekeeper::Completed(const http::RequestContext& context, unsigned status) {
    if (!context.route) return;
    const auto& route = *context.route;
    const auto method = context.request.method();
    const bool changes_state = method != http::Verb::get && method != http::Verb::head && method != http::Verb::options;
    const bool refused = (status == 401 || status == 403) && route.access() != http::Access::kPublic;
    if (!changes_state && !refused && context.audit.action.empty()) return;

    audit::Event event;
    if (context.principal) {
        const auto& p = *context.principal;
        event.actor_kind = p.kind == auth::Principal::Kind::api_token ? "api_token" : "user";
        event.actor_id = p.kind == auth::Principal::Kind::api_token ? p.token_id : p.user_id;
        event.actor_name = p.username;
    } else if (!context.audit.actor_name.empty()) {
        event.actor_name = context.audit.actor_name;
    }
    event.source_ip = context.remote_address;
    event.user_agent = std::string(context.Header("User-Agent").substr(0, 256));
    event.request_id = context.request_id;
    if (!context.audit.action.empty()) {
        event.action = context.audit.action;
    } else if (!route.options().action.empty()) {
        event.action = route.options().action;
    } else {
        event.action = std::string(http::beast_http::to_string(route.method())) + " " + route.pattern();
    }
    event.resource_type = context.audit.resource_type.empty() ? ResourceType(route) : context.audit.resource_type;
    event.resource_id =
        context.audit.resource_id.empty() ? std::string(context.Param("id")) : context.audit.resource_id;
    event.outcome = status < 400 ? "success" : (status == 401 || status == 403) ? "denied" : "failure";
    event.status = static_cast<int>(status);
    event.details = context.audit.details;
    event.details["method"] = http::beast_http::to_string(context.request.method());
    event.details["route"] = route.pattern();
    audit_.Record(std::move(event));
}

}  // namespace gatehouse::api
