#pragma once

#include "apps/app_service.hpp"
#include "http/types.hpp"

namespace gatehouse::api {

/// /api/v1/projects and /api/v1/apps.
struct AppHandlers {
    apps::AppService& apps;

    boost::asio::awaitable<http::Response> ListProjects(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> CreateProject(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> GetProject(http::RequestContext& context) const;
    /// PUT and PATCH (the given fields over the stored ones).
    boost::asio::awaitable<http::Response> ReplaceProject(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> DeleteProject(http::RequestContext& context) const;

    boost::asio::awaitable<http::Response> ListApps(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> CreateApp(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> GetApp(http::RequestContext& context) const;
    /// PUT and PATCH (the given fields over the stored ones).
    boost::asio::awaitable<http::Response> ReplaceApp(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> DeleteApp(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> Start(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> Stop(http::RequestContext& context) const;
};

}  // namespace gatehouse::api
