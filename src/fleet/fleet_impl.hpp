#pragma once
// Shared by the fleet service's .cpp files only.

#include "audit/changes.hpp"
#include "core/single_flight.hpp"
#include "fleet/fleet_service.hpp"
#include "fleet/fleet_sql.hpp"
#include "store/paging.hpp"

namespace gatehouse::fleet {

struct CachedStatus {
    StatusView view;
    std::chrono::steady_clock::time_point at;
};
struct CachedDisk {
    DiskView view;  // with an error_kind when the read failed: kept for FleetOptions::failure_ttl
    std::chrono::steady_clock::time_point at;
};

struct FleetService::Impl {
    store::Database& db;
    vault::Vault& vault;
    core::WorkerPool& cpu;
    ssh::SshClient& ssh;
    audit::AuditLog& audit;
    FleetOptions options;

    std::mutex cache_mutex;
    std::unordered_map<std::string, CachedStatus> status_cache;
    std::unordered_map<std::string, CachedDisk> disk_cache;
    core::SingleFlight<StatusView> status_flights;
    core::SingleFlight<DiskView> disk_flights;
    metrics::CounterVec probe_results;

    /// The login target of a server, secrets revealed from the vault. Blocking.
    ssh::Target TargetFor(store::Connection& c, const ServerView& server) const;
};

/// Forbidden unless an admin asks: pinning a host key by hand vouches for the machine behind it.
void CheckMayPin(const ServerInput& in, bool caller_is_admin);
/// Stored credentials follow an update only to the endpoint they were approved for (see credentials_locked).
void BindCredentials(ServerView& server, const ServerView& before, const ServerInput& in);
/// The fields an update changed, secrets named but never shown.
audit::Changes ServerChanges(const ServerView& before, const ServerView& after, const ServerInput& in);
/// Drops the cached status and disk view of a server that changed or went.
void ForgetCached(FleetService::Impl& impl, const std::string& id);

vault::Owner ServerPassword(const std::string& server_id);
vault::Owner ServerPostgresPassword(const std::string& server_id);
vault::Owner KeyPrivate(const std::string& key_id);
vault::Owner KeyPassphrase(const std::string& key_id);

/// A server and its login target, secrets revealed; not_found when it does not exist.
boost::asio::awaitable<std::pair<ServerView, ssh::Target>> Load(FleetService::Impl& impl, const std::string& id);
/// Pins a first-seen host key, records a mismatch for an admin, and stores the status.
boost::asio::awaitable<void> Record(FleetService::Impl& impl, const ServerView& server, const std::string& status,
                                    const std::string& seen_key, bool mismatch);
std::string StatusFor(ssh::FailureKind kind);
using store::CheckCursor;
using store::Paged;

}  // namespace gatehouse::fleet
