#pragma once

#include <string>
#include <string_view>

namespace gatehouse::auth {

/// A 256-bit random bearer secret with a readable prefix ("ghr_" refresh, "gha_" API token).
struct OpaqueToken {
    std::string token;  // shown to the client once
    std::string hash;   // SHA-256 hex: all the database ever holds
};

OpaqueToken NewOpaqueToken(std::string_view prefix);
std::string HashToken(std::string_view token);

}  // namespace gatehouse::auth
