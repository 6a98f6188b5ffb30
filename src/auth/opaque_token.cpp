#include "auth/opaque_token.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <stdexcept>

#include "auth/jwt.hpp"

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

std::string HashToken(std::string_view token) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(token.data(), token.size(), digest, &length, EVP_sha256(), nullptr);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (unsigned i = 0; i < length; ++i) {
        hex += kHex[digest[i] >> 4];
        hex += kHex[digest[i] & 15];
    }
    return hex;
}

}  // namespace gatehouse::auth
