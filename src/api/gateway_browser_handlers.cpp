#include "api/gateway_browser_handlers.hpp"

#include "api/json_fields.hpp"
#include "core/errc.hpp"
#include "core/time.hpp"
#include "http/json_body.hpp"
#include "http/problem.hpp"

namespace gatehouse::api {

using http::Response;
namespace bhttp = http::beast_http;

namespace {

constexpr std::string_view kCookie = "gatehouse_access";

std::optional<std::string> CookieOf(const http::RequestContext& context) {
    const auto [first, last] = context.request.equal_range(bhttp::field::cookie);
    for (auto it = first; it != last; ++it) {
        std::string_view rest = it->value();
        while (!rest.empty()) {
            const auto end = rest.find(';');
            auto pair = rest.substr(0, end);
            while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
            if (pair.starts_with(kCookie) && pair.size() > kCookie.size() && pair[kCookie.size()] == '=')
                return std::string(pair.substr(kCookie.size() + 1));
            if (end == std::string_view::npos) break;
            rest.remove_prefix(end + 1);
        }
    }
    return std::nullopt;
}

// The cookie's path: "/" on a route's own host (its pages live at the root), /gw/ everywhere else.
std::string CookiePath(const gateway::GatewayService& gateway, const http::RequestContext& context) {
    const auto route = gateway.cache().RouteByHost(context.Header("Host"));
    return route ? "/" : "/gw/";
}

std::string Cookie(const CookieSettings& settings, std::string_view value, std::int64_t max_age, std::string path) {
    std::string cookie = std::string(kCookie) + "=" + std::string(value) + "; Path=" + path +
                         "; HttpOnly; SameSite=" + settings.same_site + "; Max-Age=" + std::to_string(max_age);
    if (settings.secure || settings.same_site == "None") cookie += "; Secure";
    return cookie;
}

struct Resolved {
    std::shared_ptr<gateway::LiveToken> token;
    std::shared_ptr<const gateway::RouteView> route;
};

boost::asio::awaitable<Resolved> ResolveToken(gateway::GatewayService& gateway, std::string token) {
    auto live = co_await gateway.Resolve(std::move(token));
    if (!live) throw core::Error(core::errc::unauthenticated, "the access token is invalid, expired or revoked");
    auto route = gateway.cache().RouteById(live->entry.route_id);
    if (!route) throw core::Error(core::errc::unauthenticated, "the access token's route is gone");
    co_return Resolved{std::move(live), std::move(route)};
}

boost::json::object SessionJson(const Resolved& r) {
    const auto now = core::EpochSeconds();
    const auto& e = r.token->entry;
    const auto expires = r.token->expires_epoch.load();
    return {{"user_id", e.user_id},
            {"token_id", e.id},
            {"route", r.route->slug},
            {"route_id", r.route->id},
            {"path", r.route->host ? "/" : "/gw/" + r.route->slug + "/"},
            {"expires_at", core::FormatRfc3339(core::Clock::time_point(std::chrono::seconds(expires)))},
            {"remaining_seconds", std::max<std::int64_t>(0, expires - now)}};
}

}  // namespace

boost::asio::awaitable<Response> GatewayBrowserHandlers::Authenticate(http::RequestContext& context) const {
    const auto& fields = RequireObject(http::ParseJsonBody(context));
    context.audit.resource_type = "access_token";
    auto resolved = co_await ResolveToken(gateway, RequireString(fields, "token", 256));
    context.audit.resource_id = resolved.token->entry.id;
    context.audit.details = {{"route", resolved.route->slug}, {"user_id", resolved.token->entry.user_id}};
    auto body = SessionJson(resolved);
    auto response = http::Json(http::Status::ok, body);
    response.set(bhttp::field::set_cookie,
                 Cookie(cookie, std::string(fields.at("token").as_string()), body.at("remaining_seconds").as_int64(),
                        CookiePath(gateway, context)));
    response.set(bhttp::field::cache_control, "no-store");
    co_return response;
}

boost::asio::awaitable<Response> GatewayBrowserHandlers::Status(http::RequestContext& context) const {
    auto token = std::string(context.Header("X-Access-Token"));
    if (token.empty()) token = CookieOf(context).value_or("");
    if (token.empty())
        throw core::Error(core::errc::unauthenticated,
                          "no access token: send X-Access-Token or authenticate with POST /gw/authenticate");
    auto resolved = co_await ResolveToken(gateway, std::move(token));
    auto response = http::Json(http::Status::ok, SessionJson(resolved));
    response.set(bhttp::field::cache_control, "no-store");
    co_return response;
}

boost::asio::awaitable<Response> GatewayBrowserHandlers::Logout(http::RequestContext& context) const {
    auto response = NoContent();
    response.set(bhttp::field::set_cookie, Cookie(cookie, "", 0, CookiePath(gateway, context)));
    co_return response;
}

boost::asio::awaitable<Response> GatewayBrowserHandlers::Jwks(http::RequestContext&) const {
    if (!identity_key) throw core::Error(core::errc::not_found, "no identity keys");
    auto response = http::Json(http::Status::ok, identity_key->Jwks());
    response.set(bhttp::field::cache_control, "public, max-age=300");
    co_return response;
}

}  // namespace gatehouse::api
