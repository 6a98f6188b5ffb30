#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/errc.hpp"
#include "core/worker_pool.hpp"
#include "metrics/histogram.hpp"

namespace gatehouse::ssh {

/// Where and how to log in. Secrets are held only for the call.
struct Target {
    std::string server_id;  // key of the session pool
    std::string host;       // hostname, IPv4 or IPv6
    std::uint16_t port = 22;
    std::string user;
    enum class Auth { password, key } auth = Auth::password;
    std::string password;
    std::string private_key;  // OpenSSH or PEM text
    std::string passphrase;
    /// "SHA256:..." of the pinned host key; a server presenting another key is refused before any
    /// credential is sent.
    std::string expected_host_key;
    /// With no `expected_host_key`: true accepts the key and reports it (pin on first use); false refuses
    /// before authenticating, reporting the key it saw (the stored credentials were approved for another
    /// endpoint and must not reach this one until an admin approves its key).
    bool trust_first_key = true;
};

/// What the blocking work of a call is for. Each purpose has its own pool, so long task commands cannot
/// take the threads that probes and interactive checks need.
enum class Purpose { task, probe, interactive };

/// One pool per purpose; the same pool may serve several.
struct SshPools {
    core::WorkerPool& task;
    core::WorkerPool& probe;
    core::WorkerPool& interactive;
};

enum class FailureKind { dns, refused, timeout, auth_failed, host_key_mismatch, protocol };
std::string_view FailureKindName(FailureKind kind) noexcept;

/// A failed connection or command. what() is safe to show (never a password or key);
/// `seen_host_key` is set for host_key_mismatch (and whenever the server's key was read).
class SshError : public core::Error {
  public:
    SshError(FailureKind kind, std::string detail, std::string seen_host_key = {});
    FailureKind kind() const noexcept { return kind_; }
    const std::string& seen_host_key() const noexcept { return seen_host_key_; }

  private:
    FailureKind kind_;
    std::string seen_host_key_;
};

struct ExecResult {
    int exit_status = -1;
    std::string stdout_data;  // empty when ExecOptions::collect is false
    std::string stderr_data;
    bool timed_out = false;
    bool cancelled = false;
};

struct ConnectInfo {
    std::string host_key_fingerprint;  // "SHA256:..." as ssh-keygen -l prints it
    double latency_ms = 0;             // of this call (connect + auth, or a no-op on a reused session)
    bool reused = false;               // an idle session was reused: no handshake
};

/// Output as it arrives: stream 1 = stdout, 2 = stderr. Called on a worker thread; must be quick
/// and thread-safe. Bytes are raw (not necessarily UTF-8).
using ChunkCallback = std::function<void(int stream, std::string_view data)>;

/// How to run one command.
struct ExecOptions {
    std::chrono::seconds timeout{15};
    ChunkCallback on_chunk;
    /// Set to true (from any thread) to abandon the command like a timeout; checked every 200 ms at most.
    std::shared_ptr<const std::atomic<bool>> cancel;
    /// Keep the output in the result (up to 16 MiB per stream). Off for streamed task output.
    bool collect = true;
    /// Called once, on the worker thread, when the server accepted the command (logged in, channel open).
    std::function<void()> on_started;
    Purpose purpose = Purpose::task;
};

/// A fresh login, timed in its two steps.
struct LoginCheck {
    std::string host_key_fingerprint;
    double handshake_ms = 0;  // TCP connect, key exchange and host-key check
    double login_ms = 0;      // authentication
};

struct ClientOptions {
    std::chrono::seconds connect_timeout{10};
    std::chrono::seconds idle_timeout{60};  // an unused session is closed after this
    std::size_t max_idle_per_server = 4;
};

/// What a client did since it was made, for /metrics.
struct ClientCounters {
    std::atomic<std::uint64_t> handshakes{0};  // new connections attempted
    std::atomic<std::uint64_t> opened{0};      // new connections that logged in
    std::atomic<std::uint64_t> reused{0};      // connects and commands served by an idle session
    std::atomic<std::uint64_t> failed{0};      // new connections that ended before a login (SshError)
    metrics::Histogram handshake_seconds;      // TCP, key exchange and host-key check of new connections
};

/// Connections made to a local Unix socket, each carried to a host and port as seen from an SSH server by a
/// direct-tcpip channel over one SSH session of its own (never a pooled one: the forward's thread owns it).
/// Destroying the forward closes its channels, its session and its socket.
class Forward {
  public:
    virtual ~Forward() = default;
    /// The private directory (0700) holding the socket `.s.PGSQL.<remote port>`: libpq's `host` for it.
    virtual const std::string& socket_dir() const = 0;
    /// False once the SSH session ended: open a new forward.
    virtual bool alive() const = 0;
    /// Why the last channel could not be opened or the session ended; empty when nothing failed.
    virtual std::string last_error() const = 0;
    /// Channels opened since the start (each local connection is one).
    virtual std::uint64_t channels_opened() const = 0;
};

/// libssh 0.10 sessions, reused per server while idle, all blocking work on the pool of the call's purpose
/// (never on an I/O thread). Thread-safe. Call the awaitables from a coroutine on an I/O executor. A pool
/// that is full makes the call fail with core::Error(unavailable).
class SshClient {
  public:
    /// One pool for every purpose.
    SshClient(core::WorkerPool& pool, ClientOptions options);
    SshClient(SshPools pools, ClientOptions options);
    ~SshClient();

    /// Connects (or reuses a session) and authenticates. Throws SshError.
    boost::asio::awaitable<ConnectInfo> Connect(Target target, Purpose purpose = Purpose::interactive);

    /// A new connection and login every time, never a pooled session (the session is pooled afterwards).
    /// Throws SshError. Runs on the interactive pool.
    boost::asio::awaitable<LoginCheck> CheckLogin(Target target);

    /// Runs `command` (already shell-quoted by the caller) and waits for it, streaming output to
    /// `on_chunk` if given. A command still running after `timeout` is abandoned (channel closed)
    /// and the result says timed_out. Throws SshError for connection/auth failures.
    boost::asio::awaitable<ExecResult> Exec(Target target, std::string command, std::chrono::seconds timeout,
                                            ChunkCallback on_chunk = {});
    /// The same with every option; a cancelled command ends like a timed-out one, with `cancelled` set.
    boost::asio::awaitable<ExecResult> Exec(Target target, std::string command, ExecOptions options);

    /// Logs in with a new session and starts a forward to `remote_host:remote_port` on the server (see Forward).
    /// Blocking: call it on a worker thread. Throws SshError (the same host-key rules as every connection).
    std::shared_ptr<Forward> OpenForwardBlocking(const Target& target, std::string remote_host,
                                                 std::uint16_t remote_port);

    /// Handshakes performed so far (for tests and metrics).
    std::uint64_t handshakes() const noexcept;
    const ClientCounters& counters() const noexcept;
    /// Closes idle sessions older than the idle timeout (scheduler job).
    void CloseIdle();

  private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

/// Quotes `arg` for a POSIX shell: 'it'\''s' style. Every user-supplied piece of a remote command
/// goes through this.
std::string ShellQuote(std::string_view arg);

/// Maps libssh's connect error text (ssh_get_error after a failed ssh_connect) to a kind.
/// Conservative: anything it does not recognise is `protocol`.
FailureKind ClassifyConnectError(std::string_view libssh_error) noexcept;

}  // namespace gatehouse::ssh
