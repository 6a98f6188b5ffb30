#pragma once

#include <boost/asio/awaitable.hpp>

#include "audit/audit_log.hpp"
#include "http/types.hpp"

namespace gatehouse::api {

/// GET /api/v1/audit/events and /api/v1/audit/stats. Invalid query parameters throw
/// core::Error(invalid_argument) naming the parameter. Run on an I/O executor.
struct AuditHandlers {
    audit::AuditLog& log;

    /// Query: actor, action (exact or `prefix*`), resource_type, resource_id, outcome, since, until
    /// (RFC 3339), limit (1..500, default 50), cursor. Answers {items, next_cursor}.
    boost::asio::awaitable<http::Response> Events(http::RequestContext& context) const;
    /// Query: since, until (RFC 3339). Answers {items: [{day, action, outcome, count}]}.
    boost::asio::awaitable<http::Response> Stats(http::RequestContext& context) const;
};

}  // namespace gatehouse::api
