#pragma once

#include "api/auth_handlers.hpp"
#include "gateway/gateway_service.hpp"
#include "gateway/identity_key.hpp"
#include "http/types.hpp"

namespace gatehouse::api {

/// /gw/authenticate, /gw/status and /gw/logout: a browser trades its access token for the gatehouse_access cookie,
/// asks how long it has left, and drops the cookie.
struct GatewayBrowserHandlers {
    gateway::GatewayService& gateway;
    CookieSettings cookie;
    const gateway::IdentityKey* identity_key = nullptr;

    boost::asio::awaitable<http::Response> Authenticate(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> Status(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> Logout(http::RequestContext& context) const;
    /// The public keys of the identity assertions the gateway sends upstreams.
    boost::asio::awaitable<http::Response> Jwks(http::RequestContext& context) const;
};

}  // namespace gatehouse::api
