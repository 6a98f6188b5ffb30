#pragma once

#include "http/types.hpp"
#include "metricstore/metric_service.hpp"

namespace gatehouse::api {

/// GET /api/v1/metrics/query, /latest and /series.
struct MetricHandlers {
    metricstore::MetricService& metrics;

    boost::asio::awaitable<http::Response> Query(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> Latest(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> Series(http::RequestContext& context) const;
};

}  // namespace gatehouse::api
