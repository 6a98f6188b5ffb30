#include "collectors/collector_service.hpp"

#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <unordered_set>

#include "auth/jwt.hpp"
#include "collectors/ca_store.hpp"
#include "collectors/collector_sql.hpp"
#include "core/errc.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "core/time.hpp"

namespace gatehouse::collectors {
namespace {

constexpr std::string_view kEnrolmentPrefix = "gce_";
constexpr std::string_view kSubjectPrefix = "collector:";

std::string Rfc3339(std::int64_t epoch) {
    return core::FormatRfc3339(core::Clock::time_point(std::chrono::seconds(epoch)));
}

void CheckText(std::string_view field, std::string_view value, std::size_t max) {
    bool printable = !value.empty() && value.size() <= max;
    for (unsigned char ch : value) printable = printable && ch >= 0x20 && ch != 0x7f;
    if (!printable)
        throw core::Error(core::errc::invalid_argument, "field '" + std::string(field) + "' must be 1 to " +
                                                            std::to_string(max) + " printable characters");
}

}  // namespace

struct CollectorService::Impl {
    store::Database& db;
    const vault::Vault& vault;
    CollectorOptions options;
    std::optional<auth::JwtCodec> tokens;

    mutable std::shared_mutex mutex;
    std::vector<std::shared_ptr<const LoadedCa>> cas;  // newest first: [0] signs
    std::unordered_set<std::string> cas_seen;
    std::unordered_map<std::string, std::string> live;  // certificate SHA-256 -> collector id
    std::function<void(const std::string&)> on_new_ca;
    std::string listener_ca_pem;  // the CA of the listener's certificate: trusted by collectors until a restart

    Impl(store::Database& d, const vault::Vault& v, CollectorOptions o) : db(d), vault(v), options(o) {}

    std::shared_ptr<const LoadedCa> Signing() const {
        std::shared_lock lock(mutex);
        return cas.front();
    }

    std::string Bundle() const {
        std::shared_lock lock(mutex);
        std::string bundle;
        for (const auto& ca : cas) bundle += ca->authority.certificate_pem();
        // A retired CA may still have issued the certificate the listener shows until it restarts.
        if (!listener_ca_pem.empty() && bundle.find(listener_ca_pem) == std::string::npos) bundle += listener_ca_pem;
        return bundle;
    }

    // Keeps the CAs loaded (keys included) in step with the database; tells the listener of new ones.
    void AdoptCas(std::vector<LoadedCa> loaded) {
        std::vector<std::string> added;
        {
            std::unique_lock lock(mutex);
            cas.clear();
            for (auto& ca : loaded) {
                if (cas_seen.insert(ca.id).second) added.push_back(ca.authority.certificate_pem());
                cas.push_back(std::make_shared<const LoadedCa>(std::move(ca)));
            }
        }
        if (on_new_ca)
            for (const auto& pem : added) on_new_ca(pem);
    }

    void AdoptLive(std::vector<std::pair<std::string, std::string>> certificates) {
        std::unordered_map<std::string, std::string> fresh(certificates.begin(), certificates.end());
        std::unique_lock lock(mutex);
        live.swap(fresh);
    }

    std::pair<std::string, std::string> IssueToken(const std::string& collector_id) const {
        auth::AccessClaims claims;
        claims.sub = std::string(kSubjectPrefix) + collector_id;
        claims.role = "collector";
        claims.type = "collector";
        claims.jti = core::RandomHex(12);
        claims.iat = core::EpochSeconds();
        claims.exp = claims.iat + options.token_ttl_s;
        return {tokens->Sign(claims), Rfc3339(claims.exp)};
    }

    Registration Issued(const std::string& id, const IssuedCertificate& cert, const CollectorConfig& config) const {
        Registration r;
        r.collector_id = id;
        r.certificate = cert.certificate_pem;
        if (!cert.private_key_pem.empty()) r.private_key = cert.private_key_pem;
        r.ca_certificate = Bundle();
        r.certificate_expires_at = Rfc3339(cert.not_after);
        std::tie(r.token, r.token_expires_at) = IssueToken(id);
        r.config = config;
        return r;
    }
};

CollectorService::CollectorService(store::Database& database, const vault::Vault& vault, CollectorOptions options)
    : impl_(std::make_shared<Impl>(database, vault, options)) {}

CollectorService::~CollectorService() = default;

void CollectorService::LoadBlocking() {
    impl_->tokens.emplace(LoadOrCreateTokenKey(impl_->db, impl_->vault));
    impl_->AdoptCas(LoadOrCreateCas(impl_->db, impl_->vault));
    std::vector<std::pair<std::string, std::string>> live;
    const auto now = core::EpochSeconds();
    impl_->db.WithRead([&](store::Connection& c) { live = sql::LiveCertificates(c, now); });
    impl_->AdoptLive(std::move(live));
}

boost::asio::awaitable<void> CollectorService::Reload() {
    auto& impl = *impl_;
    const auto now = core::EpochSeconds();
    // A CA other than the signing one is retired once nothing it issued is alive any more.
    const auto at = core::NowRfc3339();
    co_await impl.db.Write([&impl, now, &at](store::Connection& c) {
        const auto trusted = sql::TrustedCas(c);
        for (std::size_t i = 1; i < trusted.size(); ++i)
            if (!sql::CaInUse(c, trusted[i].id, now)) {
                sql::RetireCa(c, trusted[i].id, at);
                core::LogInfo("collectors.ca_retired", {{"ca_id", trusted[i].id}});
            }
    });
    auto live = co_await impl.db.Read([now](store::Connection& c) { return sql::LiveCertificates(c, now); });
    impl.AdoptLive(std::move(live));
    // Keys are read again only when the set of CAs changed.
    const auto ids = co_await impl.db.Read([](store::Connection& c) { return sql::TrustedCas(c); });
    bool changed = false;
    {
        std::shared_lock lock(impl.mutex);
        changed = ids.size() != impl.cas.size();
        for (std::size_t i = 0; !changed && i < ids.size(); ++i) changed = ids[i].id != impl.cas[i]->id;
    }
    if (changed) {
        auto loaded = co_await impl.db.Read([&impl](store::Connection& c) { return LoadCas(c, impl.vault); });
        impl.AdoptCas(std::move(loaded));
    }
}

void CollectorService::OnNewCa(std::function<void(const std::string&)> callback) {
    impl_->on_new_ca = std::move(callback);
}

boost::asio::awaitable<EnrolmentTokenIssued> CollectorService::CreateEnrolmentToken(std::string created_by,
                                                                                    std::optional<std::int64_t> ttl_s,
                                                                                    std::string note) {
    const std::int64_t ttl = ttl_s.value_or(impl_->options.enrolment_token_ttl_s);
    if (ttl < 60 || ttl > 30 * 86400)
        throw core::Error(core::errc::invalid_argument, "field 'ttl_s' must be from 60 to 2592000 seconds");
    if (note.size() > 256) throw core::Error(core::errc::invalid_argument, "field 'note' must be at most 256 bytes");
    EnrolmentTokenIssued issued;
    issued.id = core::NewUuidV7();
    issued.token = std::string(kEnrolmentPrefix) + core::RandomHex(24);
    issued.note = note;
    issued.created_at = core::NowRfc3339();
    const auto expires = core::EpochSeconds() + ttl;
    issued.expires_at = Rfc3339(expires);
    sql::EnrolmentTokenRow row{
        issued.id, core::Sha256Hex(issued.token), note, std::move(created_by), issued.created_at, issued.expires_at,
        expires};
    co_await impl_->db.Write([&row](store::Connection& c) { sql::InsertEnrolmentToken(c, row); });
    co_return issued;
}

boost::asio::awaitable<Registration> CollectorService::Register(RegisterRequest request) {
    CheckText("name", request.name, 128);
    CheckText("hostname", request.hostname, 253);
    auto& impl = *impl_;
    const auto signing = impl.Signing();
    const std::string id = core::NewUuidV7();
    // Signing is quick (one ECDSA signature; key generation only without a CSR) and checks the CSR before anything
    // is written, so a bad CSR leaves the enrolment token unused.
    const auto cert = signing->authority.IssueClient(id, request.csr, impl.options.certificate_days);
    sql::CollectorRow row;
    row.view.id = id;
    row.view.name = request.name;
    row.view.hostname = request.hostname;
    row.view.created_at = core::NowRfc3339();
    row.view.created_by = request.created_by;
    row.view.certificate_sha256 = cert.sha256;
    row.view.certificate_expires_at = Rfc3339(cert.not_after);
    row.view.certificate_expires_epoch = cert.not_after;
    row.view.ca_id = signing->id;
    row.config = DefaultConfig(row.view.created_at);
    const auto now = core::EpochSeconds();
    co_await impl.db.Write([&row, &request, now](store::Connection& c) {
        if (request.enrolment_token) {
            const auto hash = core::Sha256Hex(*request.enrolment_token);
            if (!sql::ConsumeEnrolmentToken(c, hash, now, row.view.created_at, row.view.id))
                throw core::Error(core::errc::unauthenticated, "enrolment token unknown, expired or already used");
            row.view.created_by = sql::EnrolmentTokenCreator(c, hash).value_or("");
        }
        sql::InsertCollector(c, row);
    });
    {
        std::unique_lock lock(impl.mutex);
        impl.live[cert.sha256] = id;
    }
    co_return impl.Issued(id, cert, row.config);
}

boost::asio::awaitable<Registration> CollectorService::Renew(std::string id, std::optional<std::string> csr) {
    auto& impl = *impl_;
    const auto signing = impl.Signing();
    const auto cert = signing->authority.IssueClient(id, csr, impl.options.certificate_days);
    const auto at = core::NowRfc3339();
    const auto not_after = Rfc3339(cert.not_after);
    auto config = co_await impl.db.Write([&](store::Connection& c) {
        if (!sql::RenewCollector(c, id, cert.sha256, not_after, cert.not_after, signing->id, at))
            throw core::Error(core::errc::not_found, "collector not found");
        return *sql::FindConfig(c, id);
    });
    {
        std::unique_lock lock(impl.mutex);
        impl.live[cert.sha256] = id;
    }
    core::LogInfo("collectors.renewed", {{"collector_id", id}, {"certificate_expires_at", not_after}});
    co_return impl.Issued(id, cert, config);
}

boost::asio::awaitable<Page<CollectorView>> CollectorService::List(std::optional<std::string> status, std::size_t limit,
                                                                   std::string cursor) {
    if (status) {
        bool known = false;
        for (const char* s : kStatuses) known = known || *status == s;
        if (!known)
            throw core::Error(core::errc::invalid_argument,
                              "query parameter 'status' must be pending, online, offline or expired");
    }
    const auto after = store::CheckCursor(cursor);
    const auto now = core::EpochSeconds();
    auto rows = co_await impl_->db.Read([&status, now, &after, limit](store::Connection& c) {
        return sql::ListCollectors(c, status, now, after, limit + 1);
    });
    co_return store::Paged(std::move(rows), limit);
}

boost::asio::awaitable<CollectorView> CollectorService::Get(std::string id) {
    const auto now = core::EpochSeconds();
    auto found = co_await impl_->db.Read([&id, now](store::Connection& c) { return sql::FindCollector(c, id, now); });
    if (!found) throw core::Error(core::errc::not_found, "collector not found");
    co_return std::move(*found);
}

boost::asio::awaitable<void> CollectorService::Delete(std::string id) {
    const bool deleted = co_await impl_->db.Write([&id](store::Connection& c) { return sql::DeleteCollector(c, id); });
    if (!deleted) throw core::Error(core::errc::not_found, "collector not found");
    std::unique_lock lock(impl_->mutex);
    std::erase_if(impl_->live, [&id](const auto& entry) { return entry.second == id; });
}

boost::asio::awaitable<CollectorConfig> CollectorService::Config(std::string id) {
    auto found = co_await impl_->db.Read([&id](store::Connection& c) { return sql::FindConfig(c, id); });
    if (!found) throw core::Error(core::errc::not_found, "collector not found");
    co_return std::move(*found);
}

boost::asio::awaitable<CollectorConfig> CollectorService::SetConfig(std::string id, CollectorConfig config) {
    ValidateConfig(config);
    config.updated_at = core::NowRfc3339();
    const auto version =
        co_await impl_->db.Write([&id, &config](store::Connection& c) { return sql::UpdateConfig(c, id, config); });
    if (!version) throw core::Error(core::errc::not_found, "collector not found");
    config.version = *version;
    co_return config;
}

std::optional<std::string> CollectorService::CollectorOf(std::string_view certificate_sha256) const {
    std::shared_lock lock(impl_->mutex);
    const auto it = impl_->live.find(std::string(certificate_sha256));
    if (it == impl_->live.end()) return std::nullopt;
    return it->second;
}

std::optional<std::string> CollectorService::VerifyToken(std::string_view token) const {
    const auto claims = impl_->tokens->Verify(token, core::EpochSeconds());
    if (!claims || claims->type != "collector" || !claims->sub.starts_with(kSubjectPrefix)) return std::nullopt;
    return claims->sub.substr(kSubjectPrefix.size());
}

std::vector<CaView> CollectorService::TrustedCas() const {
    std::shared_lock lock(impl_->mutex);
    std::vector<CaView> views;
    for (std::size_t i = 0; i < impl_->cas.size(); ++i) views.push_back(ToCaView(*impl_->cas[i], i == 0));
    return views;
}

IssuedCertificate CollectorService::ListenerCertificate(const std::vector<std::string>& dns_names,
                                                        const std::vector<std::string>& ips) const {
    std::shared_ptr<const LoadedCa> oldest;
    {
        std::unique_lock lock(impl_->mutex);
        oldest = impl_->cas.back();
        impl_->listener_ca_pem = oldest->authority.certificate_pem();
    }
    return oldest->authority.IssueServer(dns_names, ips, 397);
}

}  // namespace gatehouse::collectors
