#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/errc.hpp"
#include "core/log.hpp"
#include "core/time.hpp"
#include "fleet/fleet_impl.hpp"

namespace gatehouse::fleet {
namespace {

constexpr std::string_view kStatusCommand =
    "cat /proc/uptime; echo '--gatehouse--'; cat /proc/loadavg; echo '--gatehouse--'; "
    "if ids=$(docker ps -q 2>/dev/null); then printf '%s\\n' \"$ids\" | grep -c . ; else echo none; fi";

}  // namespace

std::string StatusFor(ssh::FailureKind kind) {
    switch (kind) {
        case ssh::FailureKind::auth_failed:
            return "auth_failed";
        case ssh::FailureKind::host_key_mismatch:
            return "host_key_mismatch";
        default:
            return "offline";
    }
}

namespace {

std::vector<std::string> Sections(const std::string& output) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        const auto marker = output.find("--gatehouse--\n", start);
        parts.push_back(output.substr(start, marker == std::string::npos ? std::string::npos : marker - start));
        if (marker == std::string::npos) break;
        start = marker + 14;
    }
    return parts;
}

audit::Event SystemEvent(std::string action, const ServerView& server, boost::json::object details) {
    audit::Event event;
    event.actor_kind = "system";
    event.actor_name = "gatehouse";
    event.action = std::move(action);
    event.resource_type = "server";
    event.resource_id = server.id;
    event.outcome = "success";
    event.details = std::move(details);
    return event;
}

}  // namespace

ssh::Target FleetService::Impl::TargetFor(store::Connection& c, const ServerView& server) const {
    ssh::Target target;
    target.server_id = server.id;
    target.host = server.address;
    target.port = static_cast<std::uint16_t>(server.ssh_port);
    target.user = server.ssh_user;
    target.expected_host_key = server.host_key_fingerprint.value_or("");
    target.trust_first_key = !server.credentials_locked;
    if (server.auth_method == "key" && server.ssh_key_id) {
        target.auth = ssh::Target::Auth::key;
        auto key = vault.Reveal(c, KeyPrivate(*server.ssh_key_id));
        if (!key) throw core::Error(core::errc::conflict, "the server's SSH key has no private part to log in with");
        target.private_key = std::move(*key);
        target.passphrase = vault.Reveal(c, KeyPassphrase(*server.ssh_key_id)).value_or("");
    } else {
        target.auth = ssh::Target::Auth::password;
        target.password = vault.Reveal(c, ServerPassword(server.id)).value_or("");
    }
    return target;
}

void ForgetCached(FleetService::Impl& impl, const std::string& id) {
    std::lock_guard lock(impl.cache_mutex);
    impl.status_cache.erase(id);
    impl.disk_cache.erase(id);
}

// Loads a server and its login target, failing with not_found.
boost::asio::awaitable<std::pair<ServerView, ssh::Target>> Load(FleetService::Impl& impl, const std::string& id) {
    co_return co_await impl.db.Read([&](store::Connection& c) {
        auto server = sql::FindServer(c, id);
        if (!server) throw core::Error(core::errc::not_found, "no such server");
        auto target = impl.TargetFor(c, *server);
        return std::make_pair(std::move(*server), std::move(target));
    });
}

// Pins on first use, records a mismatch for an admin to resolve, releases credentials locked by a move once the
// pinned key answered, and stores the status.
boost::asio::awaitable<void> Record(FleetService::Impl& impl, const ServerView& server, const std::string& status,
                                    const std::string& seen_key, bool mismatch) {
    const std::string now = core::NowRfc3339();
    bool pinned = false;
    bool recorded = false;
    co_await impl.db.Write([&](store::Connection& c) {
        auto current = sql::FindServer(c, server.id);
        // Moved while this connection was made: what it learnt is about the old endpoint.
        if (!current || current->address != server.address || current->ssh_port != server.ssh_port) return;
        recorded = true;
        if (mismatch) {
            sql::SetHostKeys(c, server.id, current->host_key_fingerprint, seen_key);
        } else if (!seen_key.empty() && !current->host_key_fingerprint) {
            sql::SetHostKeys(c, server.id, seen_key, std::nullopt);
            pinned = true;
        }
        if (status == "online" && current->credentials_locked) sql::SetCredentialsLocked(c, server.id, false);
        sql::SetStatus(c, server.id, status, now);
    });
    if (!recorded) co_return;
    if (pinned) impl.audit.Record(SystemEvent("server.host_key_pinned", server, {{"fingerprint", seen_key}}));
    if (mismatch) {
        auto event = SystemEvent("server.host_key_mismatch", server,
                                 {{"pinned", server.host_key_fingerprint.value_or("")},
                                  {"seen", seen_key},
                                  {"address", server.address},
                                  {"ssh_port", server.ssh_port}});
        event.outcome = "denied";
        impl.audit.Record(std::move(event));
        core::LogWarn("fleet.host_key_mismatch", {{"server_id", server.id}, {"seen", seen_key}});
    }
}

boost::asio::awaitable<PostgresAccess> FleetService::PostgresAccessFor(std::string id) {
    auto& impl = *impl_;
    PostgresAccess access = co_await impl.db.Read([&](store::Connection& c) {
        auto server = sql::FindServer(c, id);
        if (!server) throw core::Error(core::errc::not_found, "no such server");
        PostgresAccess found;
        const auto& pg = server->postgres;
        // A locked password was approved for another endpoint: it is not revealed, let alone sent.
        if (pg && pg->has_password && !pg->password_locked)
            found.password = impl.vault.Reveal(c, ServerPostgresPassword(id)).value_or("");
        if (pg && pg->via_ssh) found.ssh = impl.TargetFor(c, *server);
        found.server = std::move(*server);
        return found;
    });
    if (access.ssh && access.ssh->expected_host_key.empty() && access.ssh->trust_first_key) {
        const auto info = co_await impl.ssh.Connect(*access.ssh, ssh::Purpose::probe);
        co_await Record(impl, access.server, "online", info.host_key_fingerprint, false);
        access.ssh->expected_host_key = info.host_key_fingerprint;
    }
    co_return access;
}

boost::asio::awaitable<TestResult> FleetService::TestSsh(std::string id) {
    auto& impl = *impl_;
    auto loaded = co_await Load(impl, id);
    TestResult result;
    result.auth_method = loaded.first.auth_method;
    std::string status = "online", seen;
    bool mismatch = false;
    try {
        const auto check = co_await impl.ssh.CheckLogin(loaded.second);
        result.ok = true;
        result.handshake_ms = check.handshake_ms;
        result.login_ms = check.login_ms;
        result.latency_ms = core::RoundMilliseconds(check.handshake_ms + check.login_ms);
        result.host_key_fingerprint = check.host_key_fingerprint;
        seen = check.host_key_fingerprint;
    } catch (const ssh::SshError& e) {
        result.error_kind = std::string(ssh::FailureKindName(e.kind()));
        result.error = e.what();
        if (!e.seen_host_key().empty()) result.host_key_fingerprint = e.seen_host_key();
        status = StatusFor(e.kind());
        mismatch = e.kind() == ssh::FailureKind::host_key_mismatch;
        seen = e.seen_host_key();
    }
    co_await Record(impl, loaded.first, status, seen, mismatch);
    ForgetCached(impl, id);
    co_return result;
}

namespace {

ssh::ExecOptions ProbeCommand(const FleetOptions& options) {
    ssh::ExecOptions exec;
    exec.timeout = options.command_timeout;
    exec.purpose = ssh::Purpose::probe;
    return exec;
}

boost::asio::awaitable<StatusView> ProbeStatus(FleetService::Impl& impl, const std::string& id) {
    auto loaded = co_await Load(impl, id);
    StatusView view;
    std::string seen;
    bool mismatch = false;
    try {
        const auto run = co_await impl.ssh.Exec(loaded.second, std::string(kStatusCommand), ProbeCommand(impl.options));
        const auto parts = Sections(run.stdout_data);
        view.status = run.timed_out ? "offline" : "online";
        if (parts.size() >= 3) {
            view.uptime_seconds = ParseUptime(parts[0]);
            view.load_average = ParseLoadAverage(parts[1]);
            if (parts[2].rfind("none", 0) != 0) {
                try {
                    view.running_containers = std::stoi(parts[2]);
                } catch (const std::exception&) {
                }
            }
        }
        if (!loaded.first.host_key_fingerprint) {
            // A reused session: reads the key cheaply.
            const auto info = co_await impl.ssh.Connect(loaded.second, ssh::Purpose::probe);
            seen = info.host_key_fingerprint;
        }
    } catch (const ssh::SshError& e) {
        view.status = StatusFor(e.kind());
        view.error_kind = std::string(ssh::FailureKindName(e.kind()));
        view.error = e.what();
        mismatch = e.kind() == ssh::FailureKind::host_key_mismatch;
        seen = e.seen_host_key();
    }
    view.last_checked = core::NowRfc3339();
    impl.probe_results.Add(view.status);
    co_await Record(impl, loaded.first, view.status, seen, mismatch);
    std::lock_guard lock(impl.cache_mutex);
    impl.status_cache[id] = CachedStatus{view, std::chrono::steady_clock::now()};
    co_return view;
}

// One probe per server at a time, whoever asks: the others wait for its answer.
boost::asio::awaitable<StatusView> SharedProbe(FleetService::Impl& impl, const std::string& id) {
    co_return co_await impl.status_flights.Run(id, [&impl, &id] { return ProbeStatus(impl, id); });
}

boost::asio::awaitable<DiskView> ReadDisk(FleetService::Impl& impl, const std::string& id) {
    auto loaded = co_await Load(impl, id);
    CachedDisk cached;
    try {
        const auto run = co_await impl.ssh.Exec(loaded.second, "df -P -k", ProbeCommand(impl.options));
        cached.view.filesystems = ParseDfP(run.stdout_data);
    } catch (const ssh::SshError& e) {
        // The server is unreachable, not gatehouse: answered like /status, not as 503.
        cached.view.status = StatusFor(e.kind());
        cached.view.error_kind = std::string(ssh::FailureKindName(e.kind()));
        cached.view.error = std::string("cannot read the server's disks: ") + e.what();
    }
    cached.view.last_checked = core::NowRfc3339();
    cached.at = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(impl.cache_mutex);
        impl.disk_cache[id] = cached;
    }
    co_return cached.view;
}

}  // namespace

boost::asio::awaitable<StatusView> FleetService::Status(std::string id) {
    {
        std::lock_guard lock(impl_->cache_mutex);
        const auto it = impl_->status_cache.find(id);
        if (it != impl_->status_cache.end() &&
            std::chrono::steady_clock::now() - it->second.at < impl_->options.status_ttl)
            co_return it->second.view;
    }
    co_return co_await SharedProbe(*impl_, id);
}

boost::asio::awaitable<DiskView> FleetService::Disk(std::string id) {
    auto& impl = *impl_;
    {
        std::lock_guard lock(impl.cache_mutex);
        const auto it = impl.disk_cache.find(id);
        // A failure is kept briefly too: a host that swallows connections costs one connect timeout per TTL.
        const auto ttl = it != impl.disk_cache.end() && it->second.view.error_kind ? impl.options.failure_ttl
                                                                                   : impl.options.disk_ttl;
        if (it != impl.disk_cache.end() && std::chrono::steady_clock::now() - it->second.at < ttl)
            co_return it->second.view;
    }
    co_return co_await impl.disk_flights.Run(id, [&impl, &id] { return ReadDisk(impl, id); });
}

boost::asio::awaitable<std::pair<std::optional<std::string>, std::string>> FleetService::AcceptHostKey(
    std::string id, std::string fingerprint) {
    auto& impl = *impl_;
    auto change = co_await impl.db.Write([&](store::Connection& c) {
        auto server = sql::FindServer(c, id);
        if (!server) throw core::Error(core::errc::not_found, "no such server");
        if (!server->pending_host_key_fingerprint)
            throw core::Error(core::errc::conflict, "no changed host key is waiting to be accepted");
        const std::string accepted = *server->pending_host_key_fingerprint;
        // The admin approves the key they were shown, never one that replaced it since.
        if (accepted != fingerprint)
            throw core::Error(core::errc::conflict, "the host key waiting to be accepted is " + accepted + ", not " +
                                                        fingerprint.substr(0, 64));
        auto change = std::make_pair(server->host_key_fingerprint, accepted);
        server->host_key_fingerprint = accepted;
        server->pending_host_key_fingerprint.reset();
        server->credentials_locked = false;
        // The PostgreSQL endpoint lives on the approved machine.
        if (server->postgres) server->postgres->password_locked = false;
        sql::UpdateServer(c, *server);
        sql::SetStatus(c, id, "unknown", core::NowRfc3339());
        return change;
    });
    ForgetCached(impl, id);
    co_return change;
}

boost::asio::awaitable<void> FleetService::ProbeAll(std::size_t concurrency) {
    auto& impl = *impl_;
    auto servers = co_await impl.db.Read([](store::Connection& c) { return sql::ListServers(c, "", 100000); });
    if (servers.empty()) co_return;
    auto executor = co_await boost::asio::this_coro::executor;
    // A fixed number of workers take servers from a shared index: at most `concurrency` SSH
    // sessions at once, however large the fleet.
    auto next = std::make_shared<std::size_t>(0);
    auto running = std::make_shared<std::size_t>(std::min(concurrency, servers.size()));
    boost::asio::steady_timer done(executor, std::chrono::steady_clock::time_point::max());
    for (std::size_t w = 0; w < *running; ++w) {
        boost::asio::co_spawn(
            executor,
            [&impl, &servers, next]() -> boost::asio::awaitable<void> {
                while (*next < servers.size()) {
                    const std::string id = servers[(*next)++].id;
                    try {
                        co_await SharedProbe(impl, id);
                    } catch (const std::exception& e) {
                        core::LogWarn("fleet.probe_failed", {{"server_id", id}, {"error", e.what()}});
                    }
                }
            },
            [running, &done](std::exception_ptr error) {
                if (error) core::LogError("fleet.probe_worker_failed", {{"error", core::What(error)}});
                if (--*running == 0) done.cancel();
            });
    }
    boost::system::error_code ec;
    co_await done.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
}

}  // namespace gatehouse::fleet
