#include "collectors/ca_store.hpp"

#include <stdexcept>

#include "collectors/collector_service.hpp"
#include "collectors/collector_sql.hpp"
#include "core/ids.hpp"
#include "core/time.hpp"

namespace gatehouse::collectors {
namespace {

constexpr int kCaDays = 3652;  // 10 years
const vault::Owner kTokenKeyOwner{"collectors", "jwt", "hmac_key"};

vault::Owner KeyOwner(const std::string& ca_id) { return vault::Owner{"collector_ca", ca_id, "private_key"}; }

std::string Rfc3339(std::int64_t epoch) {
    return core::FormatRfc3339(core::Clock::time_point(std::chrono::seconds(epoch)));
}

}  // namespace

std::vector<LoadedCa> LoadCas(store::Connection& c, const vault::Vault& vault) {
    std::vector<LoadedCa> cas;
    for (auto& row : sql::TrustedCas(c)) {
        const auto key = vault.Reveal(c, KeyOwner(row.id));
        if (!key) throw std::runtime_error("the key of collectors' CA " + row.id + " is missing from the vault");
        cas.push_back({row.id, row.created_at, CertificateAuthority::Load(row.certificate, *key)});
    }
    return cas;
}

CaView CreateCa(store::Connection& c, const vault::Vault& vault) {
    const std::string id = core::NewUuidV7();
    auto authority = CertificateAuthority::Generate("gatehouse collectors CA " + id.substr(0, 8), kCaDays);
    sql::CaRow row{id, authority.certificate_pem(), authority.sha256(), Rfc3339(authority.not_after()),
                   core::NowRfc3339()};
    sql::InsertCa(c, row);
    vault.Seal(c, KeyOwner(id), authority.private_key_pem());
    return CaView{id, row.certificate, row.sha256, row.not_after, row.created_at, true};
}

std::vector<LoadedCa> LoadOrCreateCas(store::Database& database, const vault::Vault& vault) {
    // Instances starting together may each create one: all of them stay trusted, and the newest signs.
    database.WithTransaction([&](store::Connection& c) {
        if (sql::TrustedCas(c).empty()) CreateCa(c, vault);
    });
    std::vector<LoadedCa> cas;
    database.WithRead([&](store::Connection& c) { cas = LoadCas(c, vault); });
    if (cas.empty()) throw std::runtime_error("the collectors' CA is missing");
    return cas;
}

std::string LoadOrCreateTokenKey(store::Database& database, const vault::Vault& vault) {
    database.WithTransaction([&](store::Connection& c) {
        if (!vault.Reveal(c, kTokenKeyOwner)) vault.Seal(c, kTokenKeyOwner, core::RandomHex(32));
    });
    std::optional<std::string> key;
    database.WithRead([&](store::Connection& c) { key = vault.Reveal(c, kTokenKeyOwner); });
    if (!key) throw std::runtime_error("the collector token key is missing");
    return *key;
}

CaView ToCaView(const LoadedCa& ca, bool signing) {
    return CaView{
        ca.id,  ca.authority.certificate_pem(), ca.authority.sha256(), Rfc3339(ca.authority.not_after()), ca.created_at,
        signing};
}

std::vector<CaView> ShowCas(store::Database& database, const vault::Vault& vault) {
    const auto cas = LoadOrCreateCas(database, vault);
    std::vector<CaView> views;
    for (std::size_t i = 0; i < cas.size(); ++i) views.push_back(ToCaView(cas[i], i == 0));
    return views;
}

CaView RotateCa(store::Database& database, const vault::Vault& vault) {
    CaView created;
    database.WithTransaction([&](store::Connection& c) { created = CreateCa(c, vault); });
    return created;
}

}  // namespace gatehouse::collectors
