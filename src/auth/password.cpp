#include "auth/password.hpp"

#include <sodium.h>

#include <stdexcept>

namespace gatehouse::auth {

PasswordHasher::PasswordHasher(PasswordParams params) : params_(params) {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    dummy_hash_ = Hash("gatehouse-dummy-password-for-timing");
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
