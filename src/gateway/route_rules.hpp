#pragma once

#include "gateway/gateway_types.hpp"

namespace gatehouse::gateway {

/// Checks a route as a create or a full replace gives it and puts it in its stored form (lowercase host,
/// upstream without a trailing slash, headers by their lowercase names). Throws core::Error(invalid_argument)
/// naming the field.
void ValidateRoute(RouteInput& route);

/// Headers a route may never set on upstream requests: hop-by-hop ones and those the proxy sets itself.
bool IsReservedHeader(std::string_view name);

/// An RFC 9110 token (a header name).
bool IsToken(std::string_view text);

}  // namespace gatehouse::gateway
