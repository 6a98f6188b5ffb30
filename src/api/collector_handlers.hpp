#pragma once

#include "auth/identity_service.hpp"
#include "collectors/collector_service.hpp"
#include "http/types.hpp"

namespace gatehouse::api {

/// /api/v1/collectors on the main API: enrolment tokens, registration, the list, configs, deletion.
struct CollectorHandlers {
    collectors::CollectorService& collectors;
    auth::IdentityService& identity;

    boost::asio::awaitable<http::Response> CreateEnrolmentToken(http::RequestContext& context) const;
    /// Public route: the bearer is an enrolment token (one use) or an operator's API or access token.
    boost::asio::awaitable<http::Response> Register(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> List(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> Get(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> Delete(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> GetConfig(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> PutConfig(http::RequestContext& context) const;
};

}  // namespace gatehouse::api
