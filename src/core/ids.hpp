#pragma once

#include <string>

namespace gatehouse::core {

/// A new UUIDv7 (RFC 9562): time-ordered, so ids sort by creation and index well.
std::string NewUuidV7();

/// Hex of `n` cryptographically random bytes.
std::string RandomHex(std::size_t n);

}  // namespace gatehouse::core
