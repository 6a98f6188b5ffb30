#pragma once

#include "api/route_table.hpp"
#include "http/types.hpp"

namespace gatehouse::api {

/// Handlers of the operational routes (outside /api/v1) and the diagnostic echo.
struct OpsHandlers {
    Services& services;
    const http::Router& router;

    boost::asio::awaitable<http::Response> Health(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> Ready(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> Metrics(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> OpenApi(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> Docs(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> Echo(http::RequestContext& context) const;
};

/// OpenAPI 3.1 document describing every route in `router`.
std::string RenderOpenApi(const http::Router& router);

/// The /docs page: renders /openapi.json in the browser, with no external resources.
std::string_view DocsPage();

}  // namespace gatehouse::api
