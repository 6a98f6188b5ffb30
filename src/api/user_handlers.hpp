#pragma once

#include "auth/identity_service.hpp"
#include "http/types.hpp"

namespace gatehouse::api {

/// /api/v1/users and /api/v1/api-tokens.
struct UserHandlers {
    auth::IdentityService& identity;

    boost::asio::awaitable<http::Response> List(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> Create(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> Me(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> ChangeMyPassword(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> Get(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> Patch(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> Delete(http::RequestContext& context) const;

    boost::asio::awaitable<http::Response> CreateToken(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> ListTokens(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> DeleteToken(http::RequestContext& context) const;
};

}  // namespace gatehouse::api
