#pragma once

#include <string>
#include <string_view>

namespace gatehouse::auth {

struct PasswordParams {
    unsigned long long opslimit = 2;  // libsodium's "interactive" argon2id cost
    std::size_t memlimit_bytes = 64 * 1024 * 1024;
};

/// A well-formed argon2id hash string with `params`, a random salt and a random digest: no password matches it, and
/// checking one against it costs what checking against a real hash costs.
std::string DummyHash(const PasswordParams& params);

/// argon2id through libsodium's crypto_pwhash_str. CPU- and memory-heavy: call on a worker pool.
class PasswordHasher {
  public:
    explicit PasswordHasher(PasswordParams params);

    std::string Hash(std::string_view password) const;
    bool Verify(const std::string& hash, std::string_view password) const;
    /// True when `hash` was made with other parameters than the current ones.
    bool NeedsRehash(const std::string& hash) const;
    /// Verifies against a fixed hash, so an unknown user costs as much time as a wrong password.
    void VerifyDummy(std::string_view password) const;

  private:
    PasswordParams params_;
    std::string dummy_hash_;
};

}  // namespace gatehouse::auth
