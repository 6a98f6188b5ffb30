#pragma once

#include <span>
#include <string>
#include <string_view>

#include "store/database.hpp"

namespace gatehouse::store::detail {

/// Replaces every occurrence of a bound string or blob value in `text` with <redacted>: driver
/// messages sometimes quote the offending value, and parameters may be secrets.
std::string RedactParams(std::string text, std::span<const Value> params);

/// The URL with any password removed (userinfo `user:pw@` and a `password=` query parameter).
std::string RedactUrl(std::string_view url);

/// Builds the core::Error a backend throws; internal detail = "<backend>: <message> [in: <sql>]".
core::Error MakeError(core::errc code, std::string_view backend, std::string_view message, std::string_view sql,
                      std::span<const Value> params);

}  // namespace gatehouse::store::detail
