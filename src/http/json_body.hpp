#pragma once

#include <boost/json/value.hpp>

#include "http/types.hpp"

namespace gatehouse::http {

/// Nesting deeper than this is refused: deep JSON is an attack, never a real request.
inline constexpr std::size_t kMaxJsonDepth = 64;

/// The request body as JSON. Throws core::Error(unsupported_media) unless the content type is
/// application/json, and core::Error(invalid_argument) for malformed or too deeply nested JSON.
boost::json::value ParseJsonBody(const RequestContext& context);

}  // namespace gatehouse::http
