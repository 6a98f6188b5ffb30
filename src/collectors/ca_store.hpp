#pragma once
// The collectors' CAs as stored: certificates in collector_cas, keys sealed by the vault. Blocking.

#include <string>
#include <vector>

#include "collectors/certificate_authority.hpp"
#include "collectors/collector_types.hpp"
#include "store/database.hpp"
#include "vault/vault.hpp"

namespace gatehouse::collectors {

struct LoadedCa {
    std::string id;
    std::string created_at;
    CertificateAuthority authority;
};

/// Every trusted CA with its key, newest first; creates the first one when there is none.
std::vector<LoadedCa> LoadOrCreateCas(store::Database& database, const vault::Vault& vault);
/// Every trusted CA with its key, newest first, as `c` sees them.
std::vector<LoadedCa> LoadCas(store::Connection& c, const vault::Vault& vault);
/// A new CA (EC P-256, 10 years), stored and sealed in `c`'s transaction.
CaView CreateCa(store::Connection& c, const vault::Vault& vault);
/// The HMAC key of collector JWTs: one for every instance sharing the database, sealed by the vault.
std::string LoadOrCreateTokenKey(store::Database& database, const vault::Vault& vault);
CaView ToCaView(const LoadedCa& ca, bool signing);

}  // namespace gatehouse::collectors
