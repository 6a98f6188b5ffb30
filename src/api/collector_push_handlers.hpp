#pragma once

#include "collectors/collector_service.hpp"
#include "http/types.hpp"
#include "metricstore/metric_service.hpp"

namespace gatehouse::api {

/// The collectors' mTLS listener: pushes, renewals and config. Every request is a collector's: its client
/// certificate (verified by the TLS handshake) must be live, and pushes and config reads also need that collector's
/// JWT. Refusals: 401 (certificate of no live collector, token missing, invalid or expired), 403 (the token or the
/// path names another collector).
struct CollectorPushHandlers {
    collectors::CollectorService& collectors;
    metricstore::MetricService& metrics;

    boost::asio::awaitable<http::Response> Push(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> Renew(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> Config(http::RequestContext& context) const;

  private:
    std::string Authentic(const http::RequestContext& context, bool token_required) const;
};

}  // namespace gatehouse::api
