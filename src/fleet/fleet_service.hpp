#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "audit/audit_log.hpp"
#include "audit/changes.hpp"
#include "core/worker_pool.hpp"
#include "fleet/fleet_types.hpp"
#include "metrics/counter_vec.hpp"
#include "ssh/ssh_client.hpp"
#include "store/database.hpp"
#include "vault/vault.hpp"

namespace gatehouse::fleet {

struct ImportInput {
    std::string name;
    std::optional<std::string> private_key;
    std::optional<std::string> passphrase;
    std::optional<std::string> public_key;
    std::optional<std::string> comment;
};

struct TestResult {
    bool ok = false;
    double latency_ms = 0;    // handshake + login
    double handshake_ms = 0;  // TCP, key exchange, host-key check
    double login_ms = 0;      // authentication
    std::optional<std::string> host_key_fingerprint;
    std::string auth_method;
    std::optional<std::string> error_kind;  // dns | refused | timeout | auth_failed | host_key_mismatch | protocol
    std::optional<std::string> error;
};

struct StatusView {
    std::string status;                     // online | offline | auth_failed | host_key_mismatch | unknown
    std::optional<std::string> error_kind;  // why it is not online: ssh::FailureKindName
    std::optional<std::string> error;       // and in words
    std::optional<double> uptime_seconds;
    std::optional<std::array<double, 3>> load_average;
    std::optional<int> running_containers;
    std::optional<std::string> last_checked;
};

struct Filesystem {
    std::string filesystem, mount;
    std::int64_t size_bytes = 0, used_bytes = 0, available_bytes = 0;
};

/// A server's filesystems; a server that could not be read has none, and says why as StatusView does.
struct DiskView {
    std::string status = "online";          // online | offline | auth_failed | host_key_mismatch
    std::optional<std::string> error_kind;  // why it could not be read: ssh::FailureKindName
    std::optional<std::string> error;
    std::vector<Filesystem> filesystems;
    std::string last_checked;
};

/// What it takes to reach a server's PostgreSQL: the server (its `postgres` endpoint may be absent), the endpoint's
/// password revealed (empty: none, or locked by a move), and with via_ssh the server's SSH login.
struct PostgresAccess {
    ServerView server;
    std::string password;
    std::optional<ssh::Target> ssh;
};

/// A server after an update, and what the update changed (for the audit trail).
struct ServerUpdate {
    ServerView server;
    audit::Changes changes;
};

struct FleetOptions {
    std::chrono::seconds status_ttl{5};
    std::chrono::seconds disk_ttl{30};
    std::chrono::seconds command_timeout{15};
    std::chrono::seconds failure_ttl{10};  // a failed disk read is answered from the cache this long
};

/// Servers, SSH keys, their secrets in the vault, and what gatehouse learns by logging in.
/// Called from coroutines on I/O executors; blocking work goes to pools. Expected failures are
/// core::Error: invalid_argument, not_found, already_exists, conflict.
class FleetService {
  public:
    FleetService(store::Database& database, vault::Vault& vault, core::WorkerPool& cpu, ssh::SshClient& ssh,
                 audit::AuditLog& audit, FleetOptions options);

    boost::asio::awaitable<KeyView> GenerateKey(std::string name, std::string type, int bits, std::string comment);
    boost::asio::awaitable<KeyView> ImportKey(ImportInput input);
    boost::asio::awaitable<Page<KeyView>> ListKeys(std::size_t limit, std::string cursor);
    boost::asio::awaitable<KeyView> GetKey(std::string id);
    boost::asio::awaitable<KeyView> PatchKey(std::string id, std::optional<std::string> name,
                                             std::optional<std::string> comment);
    boost::asio::awaitable<void> DeleteKey(std::string id, bool force);
    boost::asio::awaitable<std::vector<ServerView>> ServersUsingKey(std::string id);

    boost::asio::awaitable<Page<ServerView>> ListServers(std::size_t limit, std::string cursor,
                                                         ServerFilter filter = {});
    boost::asio::awaitable<ServerView> GetServer(std::string id);
    /// forbidden when a caller other than an admin pins a host key (`host_key_fingerprint`).
    boost::asio::awaitable<ServerView> CreateServer(ServerInput input, bool caller_is_admin);
    /// A move (address or port) without new credentials locks the stored ones (ServerView::credentials_locked).
    boost::asio::awaitable<ServerUpdate> UpdateServer(std::string id, ServerInput input, bool caller_is_admin);
    boost::asio::awaitable<void> DeleteServer(std::string id);

    /// A fresh handshake and login every time (never a pooled session).
    boost::asio::awaitable<TestResult> TestSsh(std::string id);
    boost::asio::awaitable<StatusView> Status(std::string id);
    boost::asio::awaitable<DiskView> Disk(std::string id);
    /// Pins the pending host key (after a mismatch or a move), which must be `fingerprint` (conflict
    /// otherwise), and releases the stored credentials. Returns {old, new}.
    boost::asio::awaitable<std::pair<std::optional<std::string>, std::string>> AcceptHostKey(std::string id,
                                                                                             std::string fingerprint);
    /// Servers named by id (not_found names an unknown one), then, when `use_tags`, every server
    /// carrying all of `tags`; each once, ids first in the order given.
    boost::asio::awaitable<std::vector<ServerView>> SelectServers(std::vector<std::string> ids,
                                                                  std::vector<std::string> tags, bool use_tags);
    /// Runs a command as every fleet command does: host key pinned on first use, a changed key refused
    /// and recorded. Throws ssh::SshError when the server cannot be reached or logged into, and
    /// core::Error (not_found, conflict) when it has gone or cannot log in.
    boost::asio::awaitable<ssh::ExecResult> Run(std::string server_id, std::string command, ssh::ExecOptions options);
    /// The server's PostgreSQL endpoint and credentials. With via_ssh and no pinned host key yet, logs in once to pin
    /// it (as any first connection does). Throws not_found, and ssh::SshError when that login fails.
    boost::asio::awaitable<PostgresAccess> PostgresAccessFor(std::string id);
    /// Refreshes the status of every server, at most `concurrency` at once (scheduler job).
    boost::asio::awaitable<void> ProbeAll(std::size_t concurrency);
    /// Status probes (scheduled and asked for) by the status they found, for /metrics.
    const metrics::CounterVec& probe_results() const noexcept;

    struct Impl;

  private:
    std::shared_ptr<Impl> impl_;
};

/// Input rules, shared with the handlers; throw core::Error(invalid_argument) naming the field.
void ValidateServerInput(const ServerInput& input);
void ValidateName(std::string_view field, std::string_view name);

/// Parsers of remote command output (exposed for unit tests).
std::optional<double> ParseUptime(std::string_view proc_uptime);
std::optional<std::array<double, 3>> ParseLoadAverage(std::string_view proc_loadavg);
std::vector<Filesystem> ParseDfP(std::string_view output);

}  // namespace gatehouse::fleet
