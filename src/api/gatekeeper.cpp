#include "api/gatekeeper.hpp"

#include <boost/beast/core/string.hpp>

#include "api/refusal_summary.hpp"
#include "core/errc.hpp"
#include "core/text.hpp"
#include "http/router.hpp"

namespace gatehouse::api {

bool Allows(auth::Role role, http::Access access) noexcept {
    return static_cast<int>(role) >= static_cast<int>(access);
}

const auth::Principal* MaybeCaller(const http::RequestContext& context) {
    return static_cast<const auth::Principal*>(context.caller.get());
}

const auth::Principal& Caller(const http::RequestContext& context) {
    const auto* principal = MaybeCaller(context);
    if (!principal) throw core::Error(core::errc::internal, "internal error", "no caller on a protected route");
    return *principal;
}

void SetCaller(http::RequestContext& context, auth::Principal principal) {
    context.caller = std::make_shared<const auth::Principal>(std::move(principal));
}

bool IsAdmin(const http::RequestContext& context) {
    const auto* principal = MaybeCaller(context);
    return principal && principal->role == auth::Role::admin;
}

std::optional<std::string> BearerToken(const http::RequestContext& context) {
    const auto header = context.Header("Authorization");
    if (header.size() < 8 || header.size() > 4096 || !core::IEquals(header.substr(0, 7), "Bearer "))
        return std::nullopt;
    auto token = header.substr(7);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    if (token.empty()) return std::nullopt;
    for (char ch : token)
        if (ch <= ' ' || ch > '~') return std::nullopt;
    return std::string(token);
}

boost::asio::awaitable<void> ApiGatekeeper::Admit(http::RequestContext& context) {
    auto token = BearerToken(context);
    // Browsers cannot set headers on a WebSocket: an upgrade to a WebSocket route may carry the access token in
    // the query (the access log redacts it). Nowhere else: a URL ends up in logs and histories.
    if (!token && context.route && context.route->options().websocket &&
        core::IEquals(context.Header("Upgrade"), "websocket")) {
        token = context.Query("access_token");
        if (token && (token->empty() || token->size() > 4096)) token.reset();
    }
    if (!token) throw core::Error(core::errc::unauthenticated, "missing or malformed Authorization: Bearer header");
    auto principal = co_await identity_.Authenticate(std::move(*token));
    const auto access = context.route->access();
    const bool allowed = Allows(principal.role, access);
    SetCaller(context, std::move(principal));
    if (!allowed)
        throw core::Error(core::errc::forbidden,
                          "this needs the " + std::string(http::AccessName(access)) + " role or higher");
}

std::function<bool()> ApiGatekeeper::Watch(const http::RequestContext& context) {
    const auto* principal = MaybeCaller(context);
    if (!principal || !context.route) return {};
    // Re-checked only when the auth state changed since the last look: most checks are one atomic load.
    return [&identity = identity_, caller = *principal, access = context.route->access(),
            seen = ~std::uint64_t{0}]() mutable {
        const auto now = identity.view().changes();
        if (now == seen) return true;
        seen = now;
        const auto role = identity.CurrentRole(caller);
        return role && Allows(*role, access);
    };
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
    // A stream of refusals from one address is one event a minute with a count, not a row per request.
    if (refused && !refusals_.First(context.remote_address, route, status)) return;

    audit::Event event;
    if (const auto* p = MaybeCaller(context)) {
        // The user acts, whether through a session or one of their API tokens (named beside it).
        event.actor_kind = p->kind == auth::Principal::Kind::api_token ? "api_token" : "user";
        event.actor_id = p->user_id;
        event.actor_name = p->username;
        if (p->kind == auth::Principal::Kind::api_token) event.details["token_id"] = p->token_id;
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
    for (const auto& [key, value] : context.audit.details) event.details[key] = value;
    event.details["method"] = http::beast_http::to_string(context.request.method());
    event.details["route"] = route.pattern();
    audit_.Record(std::move(event));
}

}  // namespace gatehouse::api
