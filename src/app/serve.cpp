#include <sys/resource.h>
#include <sys/stat.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <vector>

#include "api/gatekeeper.hpp"
#include "api/route_table.hpp"
#include "app/app.hpp"
#include "app/data_dir.hpp"
#include "app/database.hpp"
#include "app/identity.hpp"
#include "app/process_metrics.hpp"
#include "apps/app_service.hpp"
#include "core/log.hpp"
#include "core/scheduler.hpp"
#include "fleet/fleet_service.hpp"
#include "http/server.hpp"
#include "ssh/ssh_client.hpp"
#include "store/migrations.hpp"
#include "tasks/task_service.hpp"
#include "vault/vault.hpp"

namespace gatehouse::app {
namespace {

namespace asio = boost::asio;

// Thousands of keep-alive connections need more descriptors than the usual soft limit of 1024.
void RaiseFileLimit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

std::string BackendName(const config::Config& config) { return config.database.url.empty() ? "sqlite" : "postgres"; }

// Tasks record the instance that runs them, so a restart can tell its own unfinished tasks from
// those of another instance sharing the database. Kept in the data directory across restarts.
std::string InstanceId(const std::filesystem::path& data_dir) {
    const std::string bytes = EnsureKeyFile(data_dir / "instance.id", 16);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id;
    for (unsigned char b : bytes) {
        id += kHex[b >> 4];
        id += kHex[b & 15];
    }
    return id;
}

std::size_t IoThreads(const config::Config& config) {
    if (config.http.io_threads > 0) return static_cast<std::size_t>(config.http.io_threads);
    return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

int Migrate(const config::Config& config) {
    ::umask(0077);
    EnsureDataDir(config.data_dir);
    auto database = OpenDatabase(config);
    const int applied = store::Migrate(*database);
    const auto status = store::GetMigrationStatus(*database);
    std::printf("applied %d migration(s); schema version %d\n", applied, status.current);
    return 0;
}

int Serve(const config::Config& config) {
    // Everything gatehouse writes (database, keys, WAL) is for its own user only.
    ::umask(0077);
    RaiseFileLimit();
    EnsureDataDir(config.data_dir);
    const std::filesystem::path data_dir(config.data_dir);

    auto database = OpenDatabase(config);
    const int applied = store::Migrate(*database);
    core::LogInfo("store.ready", {{"backend", BackendName(config)}, {"migrations_applied", applied}});
    // Refuses to start with a key that does not match the database's secrets; never overwrites one.
    const char* vault_env = std::getenv("GATEHOUSE_VAULT_KEY");
    auto vault =
        vault::Vault::Open(data_dir, vault_env ? std::optional<std::string>(vault_env) : std::nullopt, *database);

    core::WorkerPool workers("workers", static_cast<std::size_t>(config.workers.threads),
                             static_cast<std::size_t>(config.workers.max_queued));
    // SSH work is mostly waiting on the network: its own, larger pool, so it never starves hashing.
    core::WorkerPool ssh_pool("ssh", static_cast<std::size_t>(config.workers.ssh_threads),
                              static_cast<std::size_t>(config.workers.max_queued));
    ssh::SshClient ssh_client(ssh_pool, ssh::ClientOptions{});
    metrics::Registry registry;
    AddProcessMetrics(registry, *database, {&workers, &ssh_pool}, BackendName(config));

    audit::AuditLog audit(*database);
    auto identity = BuildIdentity(config, *database, workers, audit);
    const char* admin_password = std::getenv("GATEHOUSE_ADMIN_PASSWORD");
    if (auto generated = identity.service->EnsureInitialAdmin(
            admin_password ? std::optional<std::string>(admin_password) : std::nullopt)) {
        // Shown once, on the operator's terminal; only its argon2id hash is stored.
        std::fprintf(stderr, "gatehouse: created user 'admin' with password: %s\n", generated->c_str());
    }
    auth::RateLimiter login_limiter(config.auth.login_attempts_per_minute, std::chrono::seconds(60));
    fleet::FleetOptions fleet_options;
    fleet_options.status_ttl = std::chrono::seconds(config.fleet.status_ttl_s);
    fleet_options.disk_ttl = std::chrono::seconds(config.fleet.disk_ttl_s);
    fleet::FleetService fleet(*database, *vault, workers, ssh_client, audit, fleet_options);

    core::IoContextPool io(IoThreads(config));
    tasks::TaskOptions task_options;
    task_options.instance_id = InstanceId(data_dir);
    tasks::TaskService tasks(*database, fleet, audit, io.First().get_executor(), task_options);
    if (const auto interrupted = tasks.RecoverInterrupted(); interrupted > 0)
        core::LogWarn("tasks.recovered", {{"interrupted", interrupted}});
    apps::AppService apps(*database, tasks, audit);
    // Apps whose compose task the previous run left unfinished: their state is unknown.
    if (const auto failed = apps.RecoverInterrupted(); failed > 0)
        core::LogWarn("apps.recovered", {{"failed", failed}});

    api::Services services{*database,
                           registry,
                           *identity.service,
                           login_limiter,
                           audit,
                           fleet,
                           tasks,
                           apps,
                           config.auth.cookie_secure || config.tls.enabled(),
                           config.auth.cookie_samesite};
    http::Router router;
    api::BuildRouteTable(router, services);
    api::ApiGatekeeper gatekeeper(*identity.service, audit);

    http::ServerSettings settings{config.http, config.tls, config.log.access};
    settings.cors_origins = config::SplitList(config.auth.cors_origins);
    settings.trusted_proxies = config::SplitList(config.auth.trusted_proxies);
    settings.gatekeeper = &gatekeeper;
    http::Server server(io, settings, router, registry);

    core::Scheduler scheduler(io.First().get_executor());
    scheduler.Every(
        "audit.retention", std::chrono::hours(24),
        [&]() -> asio::awaitable<void> {
            const auto cutoff = core::Clock::now() - std::chrono::hours(24) * config.audit.retention_days;
            const auto purged = co_await audit.Purge(cutoff);
            core::LogInfo("audit.purged", {{"events", purged}, {"retention_days", config.audit.retention_days}});
        },
        std::chrono::minutes(1));
    scheduler.Every(
        "auth.expired_tokens", std::chrono::hours(1),
        [&]() -> asio::awaitable<void> { co_await identity.service->PurgeExpired(); }, std::chrono::minutes(2));
    scheduler.Every(
        "fleet.probe", std::chrono::seconds(config.fleet.probe_interval_s),
        [&]() -> asio::awaitable<void> {
            co_await fleet.ProbeAll(static_cast<std::size_t>(config.fleet.probe_concurrency));
        },
        std::chrono::seconds(std::min(5, config.fleet.probe_interval_s)));
    scheduler.Every(
        "tasks.maintain", task_options.heartbeat, [&]() -> asio::awaitable<void> { co_await tasks.Maintain(); },
        task_options.heartbeat);
    scheduler.Every(
        "apps.auto_stop", std::chrono::seconds(config.apps.auto_stop_check_s),
        [&]() -> asio::awaitable<void> { co_await apps.AutoStopDue(); },
        std::chrono::seconds(std::min(5, config.apps.auto_stop_check_s)));
    scheduler.Every("ssh.close_idle", std::chrono::seconds(30), [&]() -> asio::awaitable<void> {
        co_await core::Offload(ssh_pool, [&] { ssh_client.CloseIdle(); });
    });
    const auto [host, port] = config::SplitListen(config.listen);
    const auto endpoint = server.Listen(host, port);
    server.Start();

    const std::string scheme = config.tls.enabled() ? "https" : "http";
    const std::string shown_host =
        endpoint.address().is_v6() ? "[" + endpoint.address().to_string() + "]" : endpoint.address().to_string();
    // Scripts and tests read this line to learn the port when listening on port 0.
    std::printf("listening on %s://%s:%u\n", scheme.c_str(), shown_host.c_str(), endpoint.port());
    std::fflush(stdout);
    core::LogInfo("server.started",
                  {{"listen", shown_host + ":" + std::to_string(endpoint.port())}, {"io_threads", IoThreads(config)}});

    asio::io_context& ioc = io.First();
    asio::signal_set signals(ioc, SIGTERM, SIGINT);
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        core::LogInfo("server.stopping", {{"signal", signal}, {"grace_s", config.http.shutdown_grace_s}});
        asio::co_spawn(
            ioc,
            [&]() -> asio::awaitable<void> {
                co_await server.Shutdown(std::chrono::seconds(config.http.shutdown_grace_s));
                // Running tasks end as interrupted, their remote work stopped, their output stored.
                co_await tasks.Stop(std::chrono::seconds(10));
                io.Stop();
            },
            asio::detached);
    });

    io.Run();
    scheduler.Stop();
    audit.Flush();  // before the pools stop: the audit writer runs on the database's write pool

    workers.Join();
    ssh_pool.Join();
    database->read_pool().Join();
    database->write_pool().Join();
    core::LogInfo("server.stopped");
    return 0;
}

}  // namespace gatehouse::app
