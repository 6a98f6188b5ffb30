#pragma once

#include "auth/identity_service.hpp"
#include "http/types.hpp"

namespace gatehouse::api {

struct CookieSettings {
    bool secure = false;
    std::string same_site = "Lax";
};

/// /api/v1/auth/*: login (JSON and OAuth2 form), refresh, logout, verify, register.
struct AuthHandlers {
    auth::IdentityService& identity;
    CookieSettings cookie;

    boost::asio::awaitable<http::Response> Login(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> Token(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> Refresh(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> Logout(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> Verify(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> Register(http::RequestContext& context) const;

  private:
    boost::asio::awaitable<http::Response> LoginWith(http::RequestContext& context, std::string username,
                                                     std::string password) const;
    std::string Cookie(std::string_view name, std::string_view value, int max_age) const;
    /// The login/refresh answer: the access token, the user, and the rotated refresh cookie.
    http::Response SessionResponse(const auth::LoginResult& result) const;
};

/// {id, username, role, disabled, created_at}
boost::json::object UserJson(const auth::UserView& user);

/// What the identity service needs to know of the client: address, user agent, request id, device cookie.
auth::ClientInfo Client(const http::RequestContext& context);

}  // namespace gatehouse::api
