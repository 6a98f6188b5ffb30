#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/errc.hpp"
#include "core/log.hpp"
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

// Loads a server and its login target, failing with not_found.
boost::asio::awaitable<std::pair<ServerView, ssh::Target>> Load(FleetService::Impl& impl, const std::string& id) {
    co_return co_await impl.db.Read([&](store::Connection& c) {
        auto server = sql::FindServer(c, id);
        if (!server) throw core::Error(core::errc::not_found, "no such server");
        auto target = impl.TargetFor(c, *server);
        return std::make_pair(std::move(*server), std::move(target));
    });
}

// Pins on first use, records a mismatch for an admin to resolve, and stores the status.
boost::asio::awaitable<void> Record(FleetService::Impl& impl, const ServerView& server, const std::string& status,
                                    const std::string& seen_key, bool mismatch) {
    const std::string now = Now();
    bool pinned = false;
    co_await impl.db.Write([&](store::Connection& c) {
        auto current = sql::FindServer(c, server.id);
        if (!current) return;
        if (mismatch) {
            sql::SetHostKeys(c, server.id, current->host_key_fingerprint, seen_key);
        } else if (!seen_key.empty() && !current->host_key_fingerprint) {
            sql::SetHostKeys(c, server.id, seen_key, std::nullopt);
            pinned = true;
        }
        sql::SetStatus(c, server.id, status, now);
    });
    if (pinned) impl.audit.Record(SystemEvent("server.host_key_pinned", server, {{"fingerprint", seen_key}}));
    if (mismatch) {
        auto event = SystemEvent("server.host_key_mismatch", server,
                                 {{"pinned", server.host_key_fingerprint.value_or("")}, {"seen", seen_key}});
        event.outcome = "denied";
        impl.audit.Record(std::move(event));
        core::LogWarn("fleet.host_key_mismatch", {{"server_id", server.id}, {"seen", seen_key}});
    }
}

boost::asio::awaitable<TestResult> FleetService::TestSsh(std::string id) {
    auto& impl = *impl_;
    auto loaded = co_await Load(impl, id);
    TestResult result;
    result.auth_method = loaded.first.auth_method;
    std::string status = "online", seen;
    bool mismatch = false;
    try {
        const auto info = co_await impl.ssh.Connect(loaded.second);
        result.ok = true;
        result.latency_ms = info.latency_ms;
        result.host_key_fingerprint = info.host_key_fingerprint;
        seen = info.host_key_fingerprint;
    } catch (const ssh::SshError& e) {
        result.error_kind = std::string(ssh::FailureKindName(e.kind()));
        result.error = e.what();
        if (!e.seen_host_key().empty()) result.host_key_fingerprint = e.seen_host_key();
        status = StatusFor(e.kind());
        mismatch = e.kind() == ssh::FailureKind::host_key_mismatch;
        seen = e.seen_host_key();
    }
    co_await Record(impl, loaded.first, status, seen, mismatch);
    std::lock_guard lock(impl.cache_mutex);
    impl.status_cache.erase(id);
    co_return result;
}

boost::asio::awaitable<StatusView> ProbeStatus(FleetService::Impl& impl, const std::string& id) {
    auto loaded = co_await Load(impl, id);
    StatusView view;
    std::string seen;
    bool mismatch = false;
    try {
        const auto run =
            co_await impl.ssh.Exec(loaded.second, std::string(kStatusCommand), impl.options.command_timeout);
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
            const auto info = co_await impl.ssh.Connect(loaded.second);  // reused session: reads the key cheaply
            seen = info.host_key_fingerprint;
        }
    } catch (const ssh::SshError& e) {
        view.status = StatusFor(e.kind());
        mismatch = e.kind() == ssh::FailureKind::host_key_mismatch;
        seen = e.seen_host_key();
    }
    view.last_checked = Now();
    co_await Record(impl, loaded.first, view.status, seen, mismatch);
    std::lock_guard lock(impl.cache_mutex);
    impl.status_cache[id] = CachedStatus{view, std::chrono::steady_clock::now()};
    co_return view;
}

boost::asio::awaitable<StatusView> FleetService::Status(std::string id) {
    {
        std::lock_guard lock(impl_->cache_mutex);
        const auto it = impl_->status_cache.find(id);
        if (it != impl_->status_cache.end() &&
            std::chrono::steady_clock::now() - it->second.at < impl_->options.status_ttl)
            co_return it->second.view;
    }
    co_return co_await ProbeStatus(*impl_, id);
}

boost::asio::awaitable<DiskView> FleetService::Disk(std::string id) {
    auto& impl = *impl_;
    {
        std::lock_guard lock(impl.cache_mutex);
        const auto it = impl.disk_cache.find(id);
        if (it != impl.disk_cache.end() && std::chrono::steady_clock::now() - it->second.at < impl.options.disk_ttl)
            co_return it->second.view;
    }
    auto loaded = co_await Load(impl, id);
    DiskView view;
    try {
        const auto run = co_await impl.ssh.Exec(loaded.second, "df -P -k", impl.options.command_timeout);
        view.filesystems = ParseDfP(run.stdout_data);
    } catch (const ssh::SshError& e) {
        throw core::Error(core::errc::unavailable, std::string("cannot read the server's disks: ") + e.what());
    }
    view.last_checked = Now();
    std::lock_guard lock(impl.cache_mutex);
    impl.disk_cache[id] = CachedDisk{view, std::chrono::steady_clock::now()};
    co_return view;
}

boost::asio::awaitable<std::pair<std::optional<std::string>, std::string>> FleetService::AcceptHostKey(std::string id) {
    auto& impl = *impl_;
    auto change = co_await impl.db.Write([&](store::Connection& c) {
        auto server = sql::FindServer(c, id);
        if (!server) throw core::Error(core::errc::not_found, "no such server");
        if (!server->pending_host_key_fingerprint)
            throw core::Error(core::errc::conflict, "no changed host key is waiting to be accepted");
        sql::SetHostKeys(c, id, server->pending_host_key_fingerprint, std::nullopt);
        sql::SetStatus(c, id, "unknown", Now());
        return std::make_pair(server->host_key_fingerprint, *server->pending_host_key_fingerprint);
    });
    std::lock_guard lock(impl.cache_mutex);
    impl.status_cache.erase(id);
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
                        co_await ProbeStatus(impl, id);
                    } catch (const std::exception& e) {
                        core::LogWarn("fleet.probe_failed", {{"server_id", id}, {"error", e.what()}});
                    }
                }
            },
            [running, &done](std::exception_ptr) {
                if (--*running == 0) done.cancel();
            });
    }
    boost::system::error_code ec;
    co_await done.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
}

}  // namespace gatehouse::fleet
