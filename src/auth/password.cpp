#include "auth/password.hpp"

#include <sodium.h>

#include <stdexcept>
#include <string>

#include "core/base64.hpp"

namespace gatehouse::auth {

// Built, not hashed: hashing a dummy password at start-up took about 200 ms of the way to ready.
std::string DummyHash(const PasswordParams& params) {
    unsigned char salt[crypto_pwhash_SALTBYTES], digest[32];
    randombytes_buf(salt, sizeof salt);
    randombytes_buf(digest, sizeof digest);
    auto unpadded = [](const unsigned char* bytes, std::size_t size) {
        std::string text = core::Base64Encode(std::string_view(reinterpret_cast<const char*>(bytes), size));
        while (!text.empty() && text.back() == '=') text.pop_back();
        return text;
    };
    return "$argon2id$v=19$m=" + std::to_string(params.memlimit_bytes / 1024) +
           ",t=" + std::to_string(params.opslimit) + ",p=1$" + unpadded(salt, sizeof salt) + "$" +
           unpadded(digest, sizeof digest);
}

PasswordHasher::PasswordHasher(PasswordParams params) : params_(params) {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    dummy_hash_ = DummyHash(params_);
}

std::string PasswordHasher::Hash(std::string_view password) const {
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, password.data(), password.size(), params_.opslimit, params_.memlimit_bytes) != 0)
        throw std::runtime_error("password hashing ran out of memory");
    return std::string(out);
}

bool PasswordHasher::Verify(const std::string& hash, std::string_view password) const {
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool PasswordHasher::NeedsRehash(const std::string& hash) const {
    return crypto_pwhash_str_needs_rehash(hash.c_str(), params_.opslimit, params_.memlimit_bytes) != 0;
}

void PasswordHasher::VerifyDummy(std::string_view password) const { (void)Verify(dummy_hash_, password); }

}  // namespace gatehouse::auth
