#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gatehouse::core {

/// Standard base64 with padding (RFC 4648 section 4).
std::string Base64Encode(std::string_view bytes);
/// Decodes standard, padded base64 into `out` (cleared first; a caller holding secrets passes a buffer it wipes).
/// false on a character outside the alphabet, data after padding or a length that is not a multiple of four;
/// ASCII whitespace is skipped when `skip_whitespace` (PEM bodies), refused otherwise.
bool Base64Decode(std::string_view text, std::string& out, bool skip_whitespace = false);

/// base64url without padding (RFC 4648 section 5, as JWTs and our cursors and tokens use it).
std::string Base64UrlEncode(std::string_view bytes);
/// nullopt for anything but canonical unpadded base64url (unused trailing bits must be zero, so every byte
/// string has exactly one spelling).
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace gatehouse::core
