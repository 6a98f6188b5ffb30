#include "ssh/ssh_client.hpp"

#include <libssh/libssh.h>
#include <poll.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/ids.hpp"
#include "core/time.hpp"
#include "ssh/client_detail.hpp"

namespace gatehouse::ssh {
namespace {

using detail::Authenticate;
using detail::LibsshError;
using detail::ServerFingerprint;
using detail::SetOption;
using detail::ValidHost;
using detail::Where;

using Clock = std::chrono::steady_clock;

// Accumulated output per stream; more is still streamed to the callback but not kept, so one
// chatty command cannot exhaust memory.
constexpr std::size_t kMaxOutputBytes = std::size_t{16} << 20;
// Upper bound of one wait for socket data. Only a safety net: data wakes the wait at once.
constexpr int kMaxPollMs = 200;

struct SessionDeleter {
    void operator()(ssh_session s) const noexcept {
        ssh_disconnect(s);
        ssh_free(s);
    }
};
using SessionPtr = std::unique_ptr<ssh_session_struct, SessionDeleter>;

struct ChannelDeleter {
    void operator()(ssh_channel c) const noexcept { ssh_channel_free(c); }
};
using ChannelPtr = std::unique_ptr<ssh_channel_struct, ChannelDeleter>;

/// An authenticated session; owned by exactly one operation or by the idle list.
struct Conn {
    SessionPtr session;
    std::string fingerprint;
    Clock::time_point last_used;
};

/// Sessions are shared only between calls that would authenticate identically to the same pinned
/// server, so a changed password, key or pin always gets a new login. The secrets enter the key
/// only hashed: the key sits in memory for as long as the session idles.
std::string PoolKey(const Target& t) {
    std::string secrets;
    secrets.append(t.password).push_back('\0');
    secrets.append(t.private_key).push_back('\0');
    secrets.append(t.passphrase);
    std::string key;
    // Not the expected host key: a session opened before the key was pinned stays usable once it
    // is (TakeIdle checks the session's key against the pin).
    for (const std::string_view part :
         {std::string_view(t.server_id), std::string_view(t.host), std::string_view(t.user)}) {
        key.append(part).push_back('\0');
    }
    key.append(std::to_string(t.port)).push_back('\0');
    key.push_back(t.auth == Target::Auth::password ? 'p' : 'k');
    key.push_back('\0');
    key.append(core::Sha256Hex(secrets));
    return key;
}

}  // namespace

struct SshClient::Impl {
    Impl(SshPools p, ClientOptions o) : pools(p), options(o) {}

    core::WorkerPool& PoolFor(Purpose purpose) const {
        switch (purpose) {
            case Purpose::task:
                return pools.task;
            case Purpose::probe:
                return pools.probe;
            case Purpose::interactive:
                break;
        }
        return pools.interactive;
    }

    SshPools pools;
    const ClientOptions options;
    ClientCounters counters;
    std::mutex mutex;
    std::unordered_map<std::string, std::vector<std::unique_ptr<Conn>>> idle;  // guarded by mutex

    bool Fresh(const Conn& c, Clock::time_point now) const {
        return now - c.last_used < options.idle_timeout && ssh_is_connected(c.session.get()) != 0;
    }

    /// The most recently used live session for `key` whose host key is the one `expected` (when
    /// set), or null. Stale ones are closed.
    std::unique_ptr<Conn> TakeIdle(const std::string& key, const std::string& expected) {
        std::vector<std::unique_ptr<Conn>> stale;  // destroyed (disconnected) after the lock is released
        const std::lock_guard lock(mutex);
        const auto it = idle.find(key);
        if (it == idle.end()) return nullptr;
        std::unique_ptr<Conn> found;
        const auto now = Clock::now();
        auto& list = it->second;
        while (!list.empty() && !found) {
            std::unique_ptr<Conn> c = std::move(list.back());
            list.pop_back();
            if (Fresh(*c, now) && (expected.empty() || c->fingerprint == expected)) {
                found = std::move(c);
            } else {
                stale.push_back(std::move(c));
            }
        }
        if (list.empty()) idle.erase(it);
        return found;
    }

    void Release(const std::string& key, std::unique_ptr<Conn> conn) {
        conn->last_used = Clock::now();
        std::unique_ptr<Conn> surplus;  // closed outside the lock
        const std::lock_guard lock(mutex);
        auto& list = idle[key];
        if (list.size() < options.max_idle_per_server) {
            list.push_back(std::move(conn));
        } else {
            surplus = std::move(conn);
        }
    }

    void CloseIdle() {
        std::vector<std::unique_ptr<Conn>> stale;
        const std::lock_guard lock(mutex);
        const auto now = Clock::now();
        for (auto it = idle.begin(); it != idle.end();) {
            auto& list = it->second;
            for (auto& c : list) {
                if (!Fresh(*c, now)) stale.push_back(std::move(c));
            }
            std::erase(list, nullptr);
            it = list.empty() ? idle.erase(it) : std::next(it);
        }
    }

    /// TCP, key exchange and the host-key check, within `limit` (at most the client's connect timeout).
    /// Nothing is sent that would authenticate. Counted: a failure, or the time it took.
    std::unique_ptr<Conn> Handshake(const Target& t, std::chrono::seconds limit) {
        const auto start = Clock::now();
        try {
            auto conn = HandshakeOnce(t, limit);
            counters.handshake_seconds.Observe(std::chrono::duration<double>(Clock::now() - start).count());
            return conn;
        } catch (const SshError&) {
            counters.failed.fetch_add(1, std::memory_order_relaxed);
            throw;
        }
    }

    /// Authentication on a handshaken connection, counted as a new connection opened or failed.
    void LogIn(Conn& conn, const Target& t) {
        try {
            Authenticate(conn.session.get(), t);
        } catch (const SshError&) {
            counters.failed.fetch_add(1, std::memory_order_relaxed);
            throw;
        }
        counters.opened.fetch_add(1, std::memory_order_relaxed);
    }

    std::unique_ptr<Conn> HandshakeOnce(const Target& t, std::chrono::seconds limit) {
        if (!ValidHost(t.host)) throw SshError(FailureKind::dns, "invalid host name");
        std::string host = t.host;
        if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);

        auto conn = std::make_unique<Conn>();
        conn->session.reset(ssh_new());
        ssh_session s = conn->session.get();
        if (s == nullptr) throw SshError(FailureKind::protocol, "cannot allocate an SSH session");
        const unsigned int port = t.port;
        const long timeout =
            static_cast<long>(std::max<std::int64_t>(1, std::min(limit, options.connect_timeout).count()));
        const int verbosity = SSH_LOG_NOLOG;
        const bool process_config = false;  // never ~/.ssh/config or /etc/ssh/ssh_config
        SetOption(s, SSH_OPTIONS_HOST, host.c_str(), "host");
        SetOption(s, SSH_OPTIONS_PORT, &port, "port");
        SetOption(s, SSH_OPTIONS_USER, t.user.c_str(), "user");
        SetOption(s, SSH_OPTIONS_TIMEOUT, &timeout, "timeout");
        SetOption(s, SSH_OPTIONS_PROCESS_CONFIG, &process_config, "process_config");
        // We pin host keys ourselves; libssh must neither read nor write known_hosts files.
        SetOption(s, SSH_OPTIONS_KNOWNHOSTS, "/dev/null", "knownhosts");
        SetOption(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null", "global_knownhosts");
        SetOption(s, SSH_OPTIONS_LOG_VERBOSITY, &verbosity, "log_verbosity");
        // Small request/reply exchanges (channel open, exec) otherwise stall ~40 ms on Nagle plus
        // delayed ACK, which would cost a reused session most of what it saves.
        const int nodelay = 1;
        SetOption(s, SSH_OPTIONS_NODELAY, &nodelay, "nodelay");

        counters.handshakes.fetch_add(1, std::memory_order_relaxed);
        if (ssh_connect(s) != SSH_OK) {
            const std::string error = LibsshError(s);
            throw SshError(ClassifyConnectError(error), "cannot connect to " + Where(t) + ": " + error);
        }
        conn->fingerprint = ServerFingerprint(s);
        if (!t.expected_host_key.empty() && conn->fingerprint != t.expected_host_key) {
            throw SshError(FailureKind::host_key_mismatch,
                           "host key changed for " + t.host + ":" + std::to_string(t.port) + ": expected " +
                               t.expected_host_key + ", the server presented " + conn->fingerprint +
                               "; connection refused until the new key is accepted",
                           conn->fingerprint);
        }
        if (t.expected_host_key.empty() && !t.trust_first_key) {
            throw SshError(FailureKind::host_key_mismatch,
                           "the host key " + conn->fingerprint + " of " + t.host + ":" + std::to_string(t.port) +
                               " is not approved: the server moved, and its stored credentials are not sent "
                               "until an admin accepts this key or new credentials are given",
                           conn->fingerprint);
        }
        return conn;
    }

    /// A new connection: handshake, host-key check, authentication.
    std::unique_ptr<Conn> Open(const Target& t, std::chrono::seconds limit = std::chrono::seconds::max()) {
        auto conn = Handshake(t, limit);
        LogIn(*conn, t);
        return conn;
    }

    LoginCheck CheckLoginBlocking(const Target& t) {
        LoginCheck check;
        const auto start = Clock::now();
        auto conn = Handshake(t, options.connect_timeout);
        const auto shaken = Clock::now();
        LogIn(*conn, t);
        check.host_key_fingerprint = conn->fingerprint;
        check.handshake_ms = core::Milliseconds(shaken - start);
        check.login_ms = core::Milliseconds(Clock::now() - shaken);
        Release(PoolKey(t), std::move(conn));
        return check;
    }

    /// A cheap round trip on a reused session (open and close a channel): proves the server is
    /// still there without a handshake.
    static bool Alive(Conn& c) {
        const ChannelPtr channel(ssh_channel_new(c.session.get()));
        if (!channel || ssh_channel_open_session(channel.get()) != SSH_OK) return false;
        ssh_channel_close(channel.get());
        return true;
    }

    ConnectInfo ConnectBlocking(const Target& t) {
        const auto start = Clock::now();
        const std::string key = PoolKey(t);
        ConnectInfo info;
        std::unique_ptr<Conn> conn = TakeIdle(key, t.expected_host_key);
        if (conn && !Alive(*conn)) conn.reset();
        info.reused = conn != nullptr;
        if (info.reused) counters.reused.fetch_add(1, std::memory_order_relaxed);
        if (!conn) conn = Open(t);
        info.host_key_fingerprint = conn->fingerprint;
        info.latency_ms = core::Milliseconds(Clock::now() - start);
        Release(key, std::move(conn));
        return info;
    }

    static ChannelPtr StartCommand(Conn& c, const std::string& command) {
        ChannelPtr channel(ssh_channel_new(c.session.get()));
        if (!channel || ssh_channel_open_session(channel.get()) != SSH_OK ||
            ssh_channel_request_exec(channel.get(), command.c_str()) != SSH_OK) {
            return nullptr;
        }
        // Nothing is ever written to the command's stdin: a command reading it sees its end at once, as
        // with `ssh host cmd </dev/null`, instead of waiting for its timeout.
        ssh_channel_send_eof(channel.get());
        return channel;
    }

    ExecResult ExecBlocking(const Target& t, const std::string& command, const ExecOptions& options) {
        const auto timeout = options.timeout;
        const ChunkCallback& on_chunk = options.on_chunk;
        const std::string key = PoolKey(t);
        std::unique_ptr<Conn> conn = TakeIdle(key, t.expected_host_key);
        const bool reused = conn != nullptr;
        // The command's timeout bounds the connect too.
        if (!conn) conn = Open(t, timeout);
        ChannelPtr channel = StartCommand(*conn, command);
        if (!channel && reused) {
            // The idle session died since its last use (server restart, network): once more, fresh.
            conn = Open(t, timeout);
            channel = StartCommand(*conn, command);
        } else if (reused) {
            counters.reused.fetch_add(1, std::memory_order_relaxed);
        }
        if (!channel) {
            throw SshError(FailureKind::protocol,
                           "cannot start the command on " + Where(t) + ": " + LibsshError(conn->session.get()));
        }
        if (options.on_started) options.on_started();

        ExecResult result;
        const auto deadline = Clock::now() + timeout;
        ssh_session s = conn->session.get();
        const socket_t fd = ssh_get_fd(s);
        std::array<char, 32 * 1024> buf;
        bool finished = false;
        while (!finished) {
            bool progressed = false;
            for (const int is_stderr : {0, 1}) {
                const int n = ssh_channel_read_nonblocking(channel.get(), buf.data(), buf.size(), is_stderr);
                if (n == SSH_ERROR) {
                    throw SshError(FailureKind::protocol,
                                   "connection to " + Where(t) + " lost while running the command: " + LibsshError(s));
                }
                if (n <= 0) continue;  // nothing now, or SSH_EOF
                progressed = true;
                const std::string_view chunk(buf.data(), static_cast<std::size_t>(n));
                std::string& sink = is_stderr ? result.stderr_data : result.stdout_data;
                if (options.collect)
                    sink.append(chunk.substr(
                        0, std::min(chunk.size(), kMaxOutputBytes - std::min(kMaxOutputBytes, sink.size()))));
                if (on_chunk) on_chunk(is_stderr ? 2 : 1, chunk);
            }
            if (!progressed && (ssh_channel_is_eof(channel.get()) != 0 || ssh_channel_is_closed(channel.get()) != 0)) {
                finished = true;
                break;
            }
            const auto now = Clock::now();
            if (now >= deadline) break;
            if (options.cancel && options.cancel->load()) {
                result.cancelled = true;
                break;
            }
            if (progressed) continue;  // drain what is buffered before waiting
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1;
            pollfd p{fd, POLLIN, 0};
            ::poll(&p, 1, static_cast<int>(std::min<long long>(left, kMaxPollMs)));
        }

        if (!finished) {
            // Abandon the command: ask the remote side to stop it, close the channel, and drop the
            // session rather than pool one whose state we no longer trust.
            result.timed_out = !result.cancelled;
            ssh_channel_request_send_signal(channel.get(), "TERM");
            ssh_channel_close(channel.get());
            return result;
        }
        result.exit_status = ssh_channel_get_exit_status(channel.get());
        ssh_channel_close(channel.get());
        channel.reset();
        Release(key, std::move(conn));
        return result;
    }
};

SshClient::SshClient(core::WorkerPool& pool, ClientOptions options)
    : impl_(std::make_shared<Impl>(SshPools{pool, pool, pool}, options)) {}

SshClient::SshClient(SshPools pools, ClientOptions options) : impl_(std::make_shared<Impl>(pools, options)) {}

SshClient::~SshClient() = default;

boost::asio::awaitable<ConnectInfo> SshClient::Connect(Target target, Purpose purpose) {
    // `keep` holds the Impl for as long as this frame lives, so a client destroyed mid-call does not
    // pull it from under the worker; `target` lives in this frame until the result is back. The
    // lambda captures only trivially destructible things: GCC 12 destroys non-trivial captures of a
    // temporary passed into a co_await expression twice.
    const std::shared_ptr<Impl> keep = impl_;
    Impl* const impl = keep.get();
    auto work = [impl, &target] { return impl->ConnectBlocking(target); };
    ConnectInfo info = co_await core::Offload(impl->PoolFor(purpose), work);
    co_return info;
}

boost::asio::awaitable<LoginCheck> SshClient::CheckLogin(Target target) {
    const std::shared_ptr<Impl> keep = impl_;
    Impl* const impl = keep.get();
    auto work = [impl, &target] { return impl->CheckLoginBlocking(target); };
    LoginCheck check = co_await core::Offload(impl->PoolFor(Purpose::interactive), work);
    co_return check;
}

boost::asio::awaitable<ExecResult> SshClient::Exec(Target target, std::string command, std::chrono::seconds timeout,
                                                   ChunkCallback on_chunk) {
    ExecOptions options;
    options.timeout = timeout;
    options.on_chunk = std::move(on_chunk);
    co_return co_await Exec(std::move(target), std::move(command), std::move(options));
}

boost::asio::awaitable<ExecResult> SshClient::Exec(Target target, std::string command, ExecOptions options) {
    const std::shared_ptr<Impl> keep = impl_;
    Impl* const impl = keep.get();
    auto work = [impl, &target, &command, &options] { return impl->ExecBlocking(target, command, options); };
    ExecResult result = co_await core::Offload(impl->PoolFor(options.purpose), work);
    co_return result;
}

std::shared_ptr<Forward> SshClient::OpenForwardBlocking(const Target& target, std::string remote_host,
                                                        std::uint16_t remote_port) {
    auto conn = impl_->Open(target, impl_->options.connect_timeout);
    return detail::StartForward(conn->session.release(), std::move(remote_host), remote_port);
}

std::uint64_t SshClient::handshakes() const noexcept {
    return impl_->counters.handshakes.load(std::memory_order_relaxed);
}

const ClientCounters& SshClient::counters() const noexcept { return impl_->counters; }

void SshClient::CloseIdle() { impl_->CloseIdle(); }

}  // namespace gatehouse::ssh
