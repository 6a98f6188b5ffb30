#include "api/auth_handlers.hpp"

#include <algorithm>

#include "api/gatekeeper.hpp"
#include "api/json_fields.hpp"
#include "core/errc.hpp"
#include "core/text.hpp"
#include "http/json_body.hpp"
#include "http/problem.hpp"

namespace gatehouse::api {

using http::Response;
using http::Status;

namespace {

constexpr std::string_view kCookieName = "gatehouse_refresh";
// Marks a browser that logged in to an account before (see auth::LoginThrottle). Not a credential.
constexpr std::string_view kDeviceCookie = "gatehouse_device";
constexpr int kDeviceMaxAge = 180 * 24 * 3600;

std::optional<std::string> CookieValue(const http::RequestContext& context, std::string_view name) {
    std::string_view rest = context.Header("Cookie");
    while (!rest.empty()) {
        const auto semicolon = rest.find(';');
        auto pair = rest.substr(0, semicolon);
        rest = semicolon == std::string_view::npos ? std::string_view{} : rest.substr(semicolon + 1);
        while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
        const auto eq = pair.find('=');
        if (eq != std::string_view::npos && pair.substr(0, eq) == name) return std::string(pair.substr(eq + 1));
    }
    return std::nullopt;
}

}  // namespace

auth::ClientInfo Client(const http::RequestContext& context) {
    return auth::ClientInfo{context.remote_address, std::string(context.Header("User-Agent").substr(0, 256)),
                            context.request_id, CookieValue(context, kDeviceCookie).value_or("")};
}

boost::json::object UserJson(const auth::UserView& user) {
    return {{"id", user.id},
            {"username", user.username},
            {"role", auth::RoleName(user.role)},
            {"disabled", user.disabled},
            {"created_at", user.created_at}};
}

std::string AuthHandlers::Cookie(std::string_view name, std::string_view value, int max_age) const {
    std::string text = std::string(name) + "=" + std::string(value) +
                       "; Path=/api/v1/auth; HttpOnly; SameSite=" + cookie.same_site +
                       "; Max-Age=" + std::to_string(max_age);
    if (cookie.secure) text += "; Secure";
    return text;
}

Response AuthHandlers::SessionResponse(const auth::LoginResult& result) const {
    auto response = http::Json(
        Status::ok,
        {{"access_token", result.access_token},
         {"token_type", "bearer"},
         {"expires_in", result.expires_in},
         {"user",
          {{"id", result.user.id}, {"username", result.user.username}, {"role", auth::RoleName(result.user.role)}}}});
    response.insert(http::beast_http::field::set_cookie,
                    Cookie(kCookieName, result.refresh_token, result.refresh_max_age));
    if (!result.device.empty())
        response.insert(http::beast_http::field::set_cookie, Cookie(kDeviceCookie, result.device, kDeviceMaxAge));
    response.set(http::beast_http::field::cache_control, "no-store");
    return response;
}

boost::asio::awaitable<Response> AuthHandlers::LoginWith(http::RequestContext& context, std::string username,
                                                         std::string password) const {
    context.audit.action = "auth.login";
    context.audit.actor_name = username.substr(0, 64);
    context.audit.resource_type = "session";
    auto result = co_await identity.Login(std::move(username), std::move(password), Client(context));
    context.audit.resource_id = result.user.id;
    co_return SessionResponse(result);
}

boost::asio::awaitable<Response> AuthHandlers::Login(http::RequestContext& context) const {
    context.audit.action = "auth.login";
    const auto& body = http::ParseJsonBody(context);
    const auto& fields = RequireObject(body);
    auto username = RequireString(fields, "username", 256);
    auto password = RequireString(fields, "password", 4096);
    co_return co_await LoginWith(context, std::move(username), std::move(password));
}

namespace {

// RFC 6749 section 5.2: the token endpoint answers errors as {error, error_description}, which OAuth2 clients read.
Response OAuthError(Status status, std::string_view error, std::string_view description) {
    auto response = http::Json(status, {{"error", error}, {"error_description", description}});
    response.set(http::beast_http::field::cache_control, "no-store");
    return response;
}

}  // namespace

boost::asio::awaitable<Response> AuthHandlers::Token(http::RequestContext& context) const {
    context.audit.action = "auth.login";
    const auto type = context.Header("Content-Type");
    if (!core::IEquals(type.substr(0, type.find(';')), "application/x-www-form-urlencoded"))
        co_return OAuthError(Status::bad_request, "invalid_request",
                             "expected Content-Type: application/x-www-form-urlencoded");
    const auto& body = context.request.body();
    const auto grant = http::FormValue(body, "grant_type");
    if (grant && *grant != "password")
        co_return OAuthError(Status::bad_request, "unsupported_grant_type", "grant_type must be password");
    auto username = http::FormValue(body, "username");
    auto password = http::FormValue(body, "password");
    if (!username || !password)
        co_return OAuthError(Status::bad_request, "invalid_request", "username and password are required");
    std::optional<core::Error> refused;
    try {
        auto response = co_await LoginWith(context, std::move(*username), std::move(*password));
        response.set(http::beast_http::field::cache_control, "no-store");
        co_return response;
    } catch (const core::Error& error) {
        // Throttling and an unavailable server stay problems (429, 503 with Retry-After): not OAuth2 errors.
        if (error.code() != core::errc::unauthenticated && error.code() != core::errc::invalid_argument &&
            error.code() != core::errc::forbidden)
            throw;
        refused = error;
    }
    co_return OAuthError(Status::bad_request,
                         refused->code() == core::errc::invalid_argument ? "invalid_request" : "invalid_grant",
                         refused->what());
}

boost::asio::awaitable<Response> AuthHandlers::Refresh(http::RequestContext& context) const {
    context.audit.action = "auth.refresh";
    context.audit.resource_type = "session";
    auto token = CookieValue(context, kCookieName);
    if (!token && !context.request.body().empty()) {
        const auto& body = http::ParseJsonBody(context);
        token = OptionalString(RequireObject(body), "refresh_token", 256);
    }
    if (!token || token->empty()) throw core::Error(core::errc::unauthenticated, "no refresh token");
    auto result = co_await identity.Refresh(std::move(*token), Client(context));
    context.audit.actor_name = result.user.username;
    context.audit.resource_id = result.user.id;
    co_return SessionResponse(result);
}

boost::asio::awaitable<Response> AuthHandlers::Logout(http::RequestContext& context) const {
    context.audit.action = "auth.logout";
    context.audit.resource_type = "session";
    std::optional<auth::Principal> principal;
    if (auto bearer = BearerToken(context)) {
        try {
            principal = co_await identity.Authenticate(std::move(*bearer));
        } catch (const core::Error&) {
            // An expired or revoked access token still lets the refresh cookie be revoked.
        }
    }
    if (principal) SetCaller(context, *principal);
    co_await identity.Logout(principal, CookieValue(context, kCookieName));
    auto response = NoContent();
    response.set(http::beast_http::field::set_cookie, Cookie(kCookieName, "", 0));
    co_return response;
}

boost::asio::awaitable<Response> AuthHandlers::Verify(http::RequestContext& context) const {
    const auto& principal = Caller(context);
    auto user = UserJson(co_await identity.GetUser(principal.user_id));
    user["role"] = auth::RoleName(principal.role);  // effective: an API token may be capped below its user
    user["auth"] = principal.kind == auth::Principal::Kind::api_token ? "api_token" : "access_token";
    co_return http::Json(Status::ok, user);
}

boost::asio::awaitable<Response> AuthHandlers::Register(http::RequestContext& context) const {
    context.audit.action = "auth.register";
    const auto& body = http::ParseJsonBody(context);
    const auto& fields = RequireObject(body);
    OnlyFields(fields, {"username", "password"});
    auto username = RequireString(fields, "username", 256);
    auto password = RequireString(fields, "password", 4096);
    context.audit.actor_name = username.substr(0, 64);
    auto user = co_await identity.Register(std::move(username), std::move(password), Client(context));
    context.audit.resource_id = user.id;
    context.audit.resource_type = "user";
    co_return http::Created(UserJson(user), "/api/v1/users/" + user.id);
}

}  // namespace gatehouse::api
