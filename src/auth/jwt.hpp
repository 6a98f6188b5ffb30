#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/base64.hpp"

namespace gatehouse::auth {

struct AccessClaims {
    std::string sub;  // user id
    std::string role;
    std::string jti;
    std::string fam;       // refresh family
    std::int64_t gen = 0;  // the user's token generation when issued
    std::int64_t iat = 0;
    std::int64_t exp = 0;
    std::string type;  // empty for users' access tokens; "collector" for collectors'
};

/// HS256 JWTs signed with OpenSSL's HMAC directly. Verification is strict: the header must say
/// alg HS256 (nothing else, never "none"), the signature must match in constant time, `exp` must
/// be in the future and `nbf`, when present, not.
class JwtCodec {
  public:
    explicit JwtCodec(std::string key);

    std::string Sign(const AccessClaims& claims) const;
    /// nullopt for anything malformed, forged or outside its time window; never throws.
    std::optional<AccessClaims> Verify(std::string_view token, std::int64_t now_epoch) const;
    /// A key for another purpose, derived from this one (HMAC of `purpose`), so no second key file is needed.
    std::string Derive(std::string_view purpose) const;

  private:
    std::string Mac(std::string_view data) const;
    std::string key_;
};

using core::Base64UrlDecode;
using core::Base64UrlEncode;

}  // namespace gatehouse::auth
