#pragma once

#include "http/types.hpp"
#include "pgmon/monitor_service.hpp"

namespace gatehouse::api {

/// /api/v1/servers/{id}/postgres/..., /api/v1/postgres/metrics and /api/v1/pools.
struct PgmonHandlers {
    pgmon::MonitorService& monitor;

    boost::asio::awaitable<http::Response> Activity(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> Cancel(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> Terminate(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> Stats(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> Databases(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> DatabaseStats(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> ServerMetrics(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> AllMetrics(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> Pools(http::RequestContext& context) const;

  private:
    boost::asio::awaitable<http::Response> Signal(http::RequestContext& context, bool terminate) const;
};

}  // namespace gatehouse::api
