#pragma once

#include <string>
#include <string_view>

namespace gatehouse::core {

/// Strict UTF-8 (no overlongs, surrogates or code points above U+10FFFF).
bool IsValidUtf8(std::string_view text) noexcept;

/// The length of `text` without a trailing multi-byte sequence that is still incomplete (at most 3
/// bytes held back), so text cut at an arbitrary byte can be joined to what follows.
std::size_t Utf8CompleteLength(std::string_view text) noexcept;

}  // namespace gatehouse::core
