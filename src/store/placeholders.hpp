#pragma once

#include <string>
#include <string_view>

namespace gatehouse::store::detail {

/// Rewrites `?` placeholders as `$1..$n` for PostgreSQL. A `?` inside a string literal ('...',
/// E'...', $tag$...$tag$), a quoted identifier ("...") or a comment (--, /* */) is left alone.
/// PostgreSQL's jsonb `?` operators therefore cannot be written bare; use the jsonb_exists functions.
std::string ToPostgresPlaceholders(std::string_view sql);

}  // namespace gatehouse::store::detail
