#pragma once

#include <string>
#include <string_view>

namespace gatehouse::core {

/// Strict UTF-8 (no overlongs, surrogates or code points above U+10FFFF).
bool IsValidUtf8(std::string_view text) noexcept;

/// The length of `text` without a trailing multi-byte sequence that is still incomplete (at most 3
/// bytes held back), so text cut at an arbitrary byte can be joined to what follows.
std::size_t Utf8CompleteLength(std::string_view text) noexcept;

/// ASCII case-insensitive equality, for header values and media types. Use it instead of boost::beast::iequals,
/// which in Boost 1.81 reads one byte past its arguments when they differ only in case.
bool IEquals(std::string_view a, std::string_view b) noexcept;

/// `text` with ASCII letters lowercased (header names, host names, user-name keys).
std::string AsciiLower(std::string_view text);

/// What is wrong with `name` as the name of a resource, or empty when nothing is: 1 to `max_characters`
/// characters (code points of valid UTF-8), not blank, no spaces around it, no control characters.
std::string NameProblem(std::string_view name, std::size_t max_characters);

}  // namespace gatehouse::core
