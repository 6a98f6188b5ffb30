#include "auth/opaque_token.hpp"

#include <openssl/rand.h>

#include <stdexcept>

#include "auth/jwt.hpp"
#include "core/ids.hpp"

namespace gatehouse::auth {

OpaqueToken NewOpaqueToken(std::string_view prefix) {
    unsigned char bytes[32];
    if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
    OpaqueToken result;
    result.token =
        std::string(prefix) + Base64UrlEncode(std::string_view(reinterpret_cast<char*>(bytes), sizeof bytes));
    result.hash = HashToken(result.token);
    return result;
}

std::string HashToken(std::string_view token) { return core::Sha256Hex(token); }

}  // namespace gatehouse::auth
