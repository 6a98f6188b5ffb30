#pragma once

#include <string>
#include <string_view>

namespace gatehouse::core {

/// A new UUIDv7 (RFC 9562): time-ordered, so ids sort by creation and index well.
std::string NewUuidV7();

/// Hex of `n` cryptographically random bytes.
std::string RandomHex(std::size_t n);

/// Lower-case hex of the SHA-256 of `data` (64 characters).
std::string Sha256Hex(std::string_view data);

}  // namespace gatehouse::core
