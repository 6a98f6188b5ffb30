#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "collectors/certificate_authority.hpp"
#include "collectors/collector_types.hpp"
#include "store/database.hpp"
#include "vault/vault.hpp"

namespace gatehouse::collectors {

struct CollectorOptions {
    int certificate_days = 30;
    int token_ttl_s = 1800;
    int enrolment_token_ttl_s = 3600;
};

/// Collectors: the internal CA, enrolment, certificates, collector JWTs and configs. Called from coroutines on I/O
/// executors; database work runs on the store's pools. Expected failures are core::Error: invalid_argument (naming
/// the field), unauthenticated (enrolment token unknown, expired or used), not_found.
///
/// Which certificates may connect is held in memory (CollectorOf), changed at once by this instance's
/// registrations, renewals and deletions and reloaded from the database by Reload (other instances' changes).
class CollectorService {
  public:
    CollectorService(store::Database& database, const vault::Vault& vault, CollectorOptions options = {});
    ~CollectorService();
    CollectorService(const CollectorService&) = delete;
    CollectorService& operator=(const CollectorService&) = delete;

    /// Blocking, for start-up: the CAs (creating the first one on first use), the token key, live certificates.
    void LoadBlocking();
    /// Reloads live certificates and trusted CAs, and retires an old CA once no collector holds a live
    /// certificate it issued (after `gatehouse ca rotate`, when every collector has renewed).
    boost::asio::awaitable<void> Reload();

    boost::asio::awaitable<EnrolmentTokenIssued> CreateEnrolmentToken(std::string created_by,
                                                                      std::optional<std::int64_t> ttl_s,
                                                                      std::string note);
    boost::asio::awaitable<Registration> Register(RegisterRequest request);
    /// A new certificate (from `csr` when given) and token for a collector that proved its current certificate.
    boost::asio::awaitable<Registration> Renew(std::string id, std::optional<std::string> csr);
    boost::asio::awaitable<Page<CollectorView>> List(std::optional<std::string> status, std::size_t limit,
                                                     std::string cursor);
    boost::asio::awaitable<CollectorView> Get(std::string id);
    /// Its certificates stop working at once on this instance (from the next connection or request).
    boost::asio::awaitable<void> Delete(std::string id);
    boost::asio::awaitable<CollectorConfig> Config(std::string id);
    boost::asio::awaitable<CollectorConfig> SetConfig(std::string id, CollectorConfig config);

    /// The collector whose live certificate has this SHA-256; nullopt for an unknown, deleted or expired one.
    /// Non-blocking (the TLS handshake asks).
    std::optional<std::string> CollectorOf(std::string_view certificate_sha256) const;
    /// The collector a valid collector JWT names (signature, expiry, type), whoever holds it.
    std::optional<std::string> VerifyToken(std::string_view token) const;
    /// Every trusted CA's certificate, newest first.
    std::vector<CaView> TrustedCas() const;
    /// A server certificate for the mTLS listener from the oldest trusted CA (the one every collector trusts).
    IssuedCertificate ListenerCertificate(const std::vector<std::string>& dns_names,
                                          const std::vector<std::string>& ips) const;
    /// Called (from Reload, on a worker thread) with each CA certificate trusted since start.
    void OnNewCa(std::function<void(const std::string& certificate_pem)> callback);

    struct Impl;

  private:
    std::shared_ptr<Impl> impl_;
};

/// `gatehouse ca show`: the trusted CAs (creating the first one on first use). Blocking.
std::vector<CaView> ShowCas(store::Database& database, const vault::Vault& vault);
/// `gatehouse ca rotate`: a new CA that signs from now on; the old one stays trusted until no collector holds a
/// live certificate it issued. Blocking.
CaView RotateCa(store::Database& database, const vault::Vault& vault);

}  // namespace gatehouse::collectors
