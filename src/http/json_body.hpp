#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "http/types.hpp"

namespace gatehouse::http {

/// Nesting deeper than this is refused: deep JSON is an attack, never a real request.
inline constexpr std::size_t kMaxJsonDepth = 64;
/// What a gzip or br request body may decode to.
inline constexpr std::size_t kMaxDecodedBody = 64 << 20;

/// The request body as JSON. Throws core::Error(unsupported_media) unless the content type is
/// application/json or the Content-Encoding is not identity, gzip or br, and core::Error(invalid_argument) for
/// a body that does not decode, malformed or too deeply nested JSON, or for an object
/// with the same key twice (which parsers disagree on: refused rather than guessed). Parsed and checked once per
/// request: later calls return the same value.
const boost::json::value& ParseJsonBody(const RequestContext& context);

/// The first key that appears twice in one object of `json`, which must be valid JSON (parsed already); nullopt
/// when there is none. Keys are compared decoded ("a" and "\u0061" are the same key).
std::optional<std::string> DuplicateKey(std::string_view json);

}  // namespace gatehouse::http
