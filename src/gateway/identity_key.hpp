#pragma once

#include <boost/json/object.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "store/database.hpp"
#include "vault/vault.hpp"

namespace gatehouse::gateway {

/// The ES256 key (P-256) that signs the identity assertions the gateway sends upstreams, so an app behind the
/// gateway can trust who calls. One key for every instance sharing the database: created by the first instance
/// that needs it and kept sealed by the vault. Thread-safe once loaded.
class IdentityKey {
  public:
    /// Blocking, for start-up: reads the key, creating it when there is none. Throws std::runtime_error.
    static std::unique_ptr<IdentityKey> LoadOrCreate(store::Database& database, const vault::Vault& vault);
    ~IdentityKey();
    IdentityKey(const IdentityKey&) = delete;
    IdentityKey& operator=(const IdentityKey&) = delete;

    /// A compact JWS (ES256, typ JWT, this key's kid) over `claims`.
    std::string Sign(const boost::json::object& claims) const;
    /// {"keys": [{kty EC, crv P-256, x, y, kid, use sig, alg ES256}]}: GET /.well-known/jwks.json.
    boost::json::object Jwks() const;
    const std::string& kid() const noexcept { return kid_; }

  private:
    struct Key;
    explicit IdentityKey(std::unique_ptr<Key> key);
    std::unique_ptr<Key> key_;
    std::string kid_;
    boost::json::object jwk_;
};

}  // namespace gatehouse::gateway
