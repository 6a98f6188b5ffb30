#pragma once

#include "gateway/gateway_service.hpp"
#include "http/types.hpp"

namespace gatehouse::api {

/// /api/v1/gateway/routes, /api/v1/access-tokens, /api/v1/wallet and /api/v1/gateway/sessions.
struct GatewayHandlers {
    gateway::GatewayService& gateway;

    boost::asio::awaitable<http::Response> ListRoutes(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> GetRoute(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> CreateRoute(http::RequestContext& context) const;
    /// PUT and PATCH (the given fields over the stored ones).
    boost::asio::awaitable<http::Response> ReplaceRoute(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> DeleteRoute(http::RequestContext& context) const;

    boost::asio::awaitable<http::Response> BuyToken(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> ListTokens(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> RevokeToken(http::RequestContext& context) const;

    boost::asio::awaitable<http::Response> Wallet(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> Transactions(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> TopUp(http::RequestContext& context) const;

    boost::asio::awaitable<http::Response> Sessions(http::RequestContext& context) const;
};

}  // namespace gatehouse::api
