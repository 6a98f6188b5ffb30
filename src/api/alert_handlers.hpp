#pragma once

#include "alerts/alert_service.hpp"
#include "http/types.hpp"

namespace gatehouse::api {

/// /api/v1/alert-rules and /api/v1/alerts.
struct AlertHandlers {
    alerts::AlertService& alerts;

    boost::asio::awaitable<http::Response> ListRules(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> GetRule(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> CreateRule(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> ReplaceRule(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> DeleteRule(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> ListAlerts(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> GetAlert(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> Acknowledge(http::RequestContext& context) const;
};

}  // namespace gatehouse::api
