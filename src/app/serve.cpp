#include <malloc.h>
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
#include "api/refusal_summary.hpp"
#include "api/route_table.hpp"
#include "app/app.hpp"
#include "app/collector_listener.hpp"
#include "app/data_dir.hpp"
#include "app/database.hpp"
#include "app/identity.hpp"
#include "app/jobs.hpp"
#include "app/process_metrics.hpp"
#include "app/work_metrics.hpp"
#include "apps/app_service.hpp"
#include "auth/auth_sync.hpp"
#include "core/errc.hpp"
#include "core/log.hpp"
#include "core/scheduler.hpp"
#include "fleet/fleet_service.hpp"
#include "gateway/gateway_service.hpp"
#include "http/server.hpp"
#include "metricstore/remote_write.hpp"
#include "pgmon/monitor_service.hpp"
#include "proxy/gateway_proxy.hpp"
#include "ssh/ssh_client.hpp"
#include "store/migrations.hpp"
#include "tasks/task_service.hpp"
#include "vault/key_file.hpp"
#include "vault/vault.hpp"
#include "webui/web_ui.hpp"

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
    const std::string bytes = vault::EnsureKeyFile(data_dir / "instance.id", 16);
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
    // A start that cannot listen creates nothing (no data directory, keys, or admin password used up).
    RequireListenable(config.listen);
    if (!config.collectors.listen.empty()) RequireListenable(config.collectors.listen);
    EnsureDataDir(config.data_dir);
    const std::filesystem::path data_dir(config.data_dir);
    const DataDirLock serving(data_dir, DataDirLock::Mode::serving);
    const std::string instance_id = InstanceId(data_dir);

    auto database = OpenDatabase(config);
    const int applied = store::Migrate(*database);
    core::LogInfo("store.ready", {{"backend", BackendName(config)}, {"migrations_applied", applied}});
    // Refuses to start with a key that does not match the database's secrets; never overwrites one.
    const char* vault_env = std::getenv("GATEHOUSE_VAULT_KEY");
    auto vault =
        vault::Vault::Open(data_dir, vault_env ? std::optional<std::string>(vault_env) : std::nullopt, *database);

    const auto queued = static_cast<std::size_t>(config.workers.max_queued);
    core::WorkerPool workers("workers", static_cast<std::size_t>(config.workers.threads), queued);
    // argon2 is memory- and CPU-heavy: a small pool of its own with a short queue, so a flood of password checks
    // is refused quickly (503) instead of starving everything else.
    core::WorkerPool passwords("passwords", static_cast<std::size_t>(config.workers.password_threads),
                               static_cast<std::size_t>(config.workers.password_max_queued));
    // SSH work is mostly waiting on the network: pools of its own, one per purpose, so long task commands
    // never take the threads of probes and interactive checks.
    core::WorkerPool ssh_pool("ssh", static_cast<std::size_t>(config.workers.ssh_threads), queued);
    core::WorkerPool ssh_probe_pool("ssh-probe", static_cast<std::size_t>(config.workers.ssh_probe_threads), queued);
    core::WorkerPool ssh_interactive_pool("ssh-interactive",
                                          static_cast<std::size_t>(config.workers.ssh_interactive_threads), queued);
    // PostgreSQL monitoring: libpq and the SSH forwards on a pool of their own, so a slow monitored server cannot
    // take the threads of the fleet's other work.
    core::WorkerPool pg_workers("postgres", static_cast<std::size_t>(config.workers.postgres_threads), queued);
    ssh::SshClient ssh_client(ssh::SshPools{ssh_pool, ssh_probe_pool, ssh_interactive_pool}, ssh::ClientOptions{});
    metrics::Registry registry;

    audit::AuditLog audit(*database, static_cast<std::size_t>(config.audit.queue_max));
    AddProcessMetrics(registry, *database,
                      {&workers, &passwords, &ssh_pool, &ssh_probe_pool, &ssh_interactive_pool, &pg_workers},
                      BackendName(config), audit);
    auto identity = BuildIdentity(config, *database, passwords, audit, instance_id);
    const char* admin_password = std::getenv("GATEHOUSE_ADMIN_PASSWORD");
    if (auto generated = identity.service->EnsureInitialAdmin(
            admin_password ? std::optional<std::string>(admin_password) : std::nullopt)) {
        // Shown once, on the operator's terminal; only its argon2id hash is stored.
        std::fprintf(stderr, "gatehouse: created user 'admin' with password: %s\n", generated->c_str());
    }
    // Authenticated requests are served from memory: load the auth state, then follow every change.
    auth::AuthSync auth_sync(*database, *identity.service);
    auth_sync.LoadBlocking();
    auth_sync.Listen();

    fleet::FleetOptions fleet_options;
    fleet_options.status_ttl = std::chrono::seconds(config.fleet.status_ttl_s);
    fleet_options.disk_ttl = std::chrono::seconds(config.fleet.disk_ttl_s);
    fleet_options.failure_ttl = std::chrono::seconds(config.fleet.failure_ttl_s);
    fleet::FleetService fleet(*database, *vault, workers, ssh_client, audit, fleet_options);

    core::IoContextPool io(IoThreads(config));
    tasks::TaskOptions task_options;
    task_options.instance_id = instance_id;
    tasks::TaskService tasks(*database, fleet, audit, io.First().get_executor(), task_options);
    if (const auto interrupted = tasks.RecoverInterrupted(); interrupted > 0)
        core::LogWarn("tasks.recovered", {{"interrupted", interrupted}});
    apps::AppService apps(*database, tasks, audit);
    // Apps whose compose task the previous run left unfinished: their state is unknown.
    if (const auto failed = apps.RecoverInterrupted(); failed > 0)
        core::LogWarn("apps.recovered", {{"failed", failed}});
    AddWorkMetrics(registry, tasks, apps, fleet, ssh_client);

    const auto& pgc = config.postgres;
    pgmon::PoolOptions pool_options;
    pool_options.default_class = {pgc.pool_default_min, pgc.pool_default_max};
    pool_options.stats_db = {pgc.pool_stats_db_min, pgc.pool_stats_db_max};
    pool_options.high_load = {pgc.pool_high_load_min, pgc.pool_high_load_max};
    pool_options.connect_timeout = std::chrono::seconds(pgc.connect_timeout_s);
    pool_options.statement_timeout_ms = pgc.statement_timeout_ms;
    pool_options.lock_timeout_ms = pgc.lock_timeout_ms;
    pool_options.idle_timeout = std::chrono::seconds(pgc.idle_timeout_s);
    pool_options.acquire_timeout = std::chrono::milliseconds(pgc.acquire_timeout_ms);
    pool_options.backoff_base = std::chrono::milliseconds(pgc.backoff_ms);
    pgmon::ConnectionPools pg_pools(pg_workers, ssh_client, pool_options);
    pgmon::MonitorOptions monitor_options;
    monitor_options.activity_ttl = std::chrono::milliseconds(pgc.activity_ttl_ms);
    monitor_options.stats_ttl = std::chrono::milliseconds(pgc.stats_ttl_ms);
    monitor_options.query_text_max = pgc.query_text_max;
    monitor_options.table_limit = pgc.table_limit;
    monitor_options.size_interval = std::chrono::seconds(pgc.size_interval_s);
    pgmon::MonitorService monitor(fleet, pg_pools, monitor_options);
    AddPoolMetrics(registry, monitor);

    gateway::AccessCache access_cache;
    gateway::GatewayService gateway(*database, *vault, access_cache,
                                    gateway::GatewayOptions{config.gateway.refund_unused, instance_id});
    // The proxy checks every request against memory: load the routes and live tokens, then follow every change.
    gateway.LoadBlocking();
    gateway.Listen();
    const auto gateway_identity = gateway::IdentityKey::LoadOrCreate(*database, *vault);

    const auto& cc = config.collectors;
    collectors::CollectorService collectors(
        *database, *vault, collectors::CollectorOptions{cc.certificate_days, cc.token_ttl_s, cc.enrolment_token_ttl_s});
    // The CA is created here on first use; live certificates are checked from memory from now on.
    collectors.LoadBlocking();
    const auto& mc = config.metrics;
    metricstore::MetricService metric_store(
        *database,
        metricstore::MetricOptions{mc.retention_raw_days, mc.retention_1m_days, mc.retention_1h_days,
                                   static_cast<std::size_t>(mc.max_points), static_cast<std::size_t>(mc.max_series),
                                   static_cast<std::size_t>(mc.max_samples)});
    metric_store.PrepareBlocking();
    std::unique_ptr<metricstore::RemoteWriter> remote_writer;
    if (!mc.remote_write_url.empty()) {
        remote_writer = std::make_unique<metricstore::RemoteWriter>(
            io.First().get_executor(), metricstore::RemoteWriteOptions{mc.remote_write_url});
        metric_store.ForwardTo([&writer = *remote_writer](const auto& samples) { writer.Enqueue(samples); });
        remote_writer->Start();
    }
    alerts::AlertService alerts(*database, *vault, metric_store, io.First().get_executor(),
                                alerts::AlertOptions{std::chrono::seconds(config.alerts.webhook_timeout_s),
                                                     config.alerts.webhook_attempts, std::chrono::milliseconds(1000)});
    alerts.EnsureBuiltinRulesBlocking();
    const int sample_s = mc.sample_interval_s > 0 ? mc.sample_interval_s : 15;
    sampler::PgSampler pg_sampler(monitor, metric_store, std::chrono::seconds(sample_s), std::chrono::seconds(300));

    api::Services services{*database,
                           registry,
                           *identity.service,
                           audit,
                           fleet,
                           tasks,
                           apps,
                           monitor,
                           gateway,
                           collectors,
                           metric_store,
                           alerts,
                           gateway_identity.get(),
                           config.auth.cookie_secure || config.tls.enabled(),
                           config.auth.cookie_samesite,
                           config.gateway.cookie_secure || config.tls.enabled(),
                           config.gateway.cookie_samesite};
    http::Router router;
    api::BuildRouteTable(router, services);
    api::RefusalSummary refusals(audit);
    api::ApiGatekeeper gatekeeper(*identity.service, audit, refusals);

    proxy::ProxyOptions proxy_options;
    proxy_options.upstream.connect_timeout = std::chrono::milliseconds(config.gateway.connect_timeout_ms);
    proxy_options.upstream.max_idle = static_cast<std::size_t>(config.gateway.upstream_idle);
    proxy_options.upstream.idle_timeout = std::chrono::seconds(config.gateway.upstream_idle_timeout_s);
    proxy_options.read_timeout = std::chrono::seconds(config.gateway.read_timeout_s);
    proxy_options.rewrite_max_bytes = static_cast<std::size_t>(config.gateway.rewrite_max_bytes);
    proxy::GatewayProxy gateway_proxy(gateway, identity.service->view(), *gateway_identity, proxy_options, registry);

    http::ServerSettings settings{config.http, config.tls, config.log.access};
    settings.takeover = &gateway_proxy;
    settings.cors_origins = config::SplitList(config.auth.cors_origins);
    settings.trusted_proxies = config::SplitList(config.auth.trusted_proxies);
    settings.gatekeeper = &gatekeeper;
    const http::Route web_ui = webui::WebUiRoute(config.ui.dir, router);
    settings.fallback = &web_ui;
    http::Server server(io, settings, router, registry);

    core::Scheduler scheduler(io.First().get_executor());
    AddJobs(scheduler, JobTargets{config, audit, *identity.service, auth_sync, refusals, fleet, tasks,
                                  task_options.heartbeat, apps, ssh_client, ssh_probe_pool, pg_pools, pg_workers,
                                  gateway, gateway_proxy.usage(), collectors, metric_store, pg_sampler, alerts});
    std::unique_ptr<CollectorListener> collector_listener;
    if (!cc.listen.empty())
        collector_listener = std::make_unique<CollectorListener>(config, io, collectors, metric_store);
    const auto [host, port] = config::SplitListen(config.listen);
    const auto endpoint = server.Listen(host, port);
    const std::string collectors_address = collector_listener ? collector_listener->Start() : std::string();
    int exit_code = 0;
    // A server that cannot accept connections any more is of no use: stop, loudly, with a failing exit code.
    server.Start([&io, &exit_code](const std::string& why) {
        core::LogError("server.accept_failed_for_good", {{"error", why}});
        exit_code = 1;
        io.Stop();
    });

    // Before the "listening on" line: whoever reads it may stop the server at once, and SIGTERM must be a clean stop
    // from then on (the signal is queued until io.Run()).
    asio::io_context& ioc = io.First();
    asio::signal_set signals(ioc, SIGTERM, SIGINT);
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
        if (ec) {
            core::LogError("server.signal_wait_failed", {{"error", ec.message()}});
            return;
        }
        core::LogInfo("server.stopping", {{"signal", signal}, {"grace_s", config.http.shutdown_grace_s}});
        asio::co_spawn(
            ioc,
            [&]() -> asio::awaitable<void> {
                co_await server.Shutdown(std::chrono::seconds(config.http.shutdown_grace_s));
                if (collector_listener) co_await collector_listener->Shutdown(std::chrono::seconds(2));
                // Running tasks end as interrupted, their remote work stopped, their output stored.
                co_await tasks.Stop(std::chrono::seconds(10));
            },
            [&io, &exit_code](std::exception_ptr error) {
                // Whatever happened, the process stops; a failed shutdown says so and exits non-zero.
                if (error) {
                    exit_code = 1;
                    core::LogError("server.shutdown_failed", {{"error", core::What(error)}});
                }
                io.Stop();
            });
    });

    // Start-up (migrations, keys, the route table, the first maintenance) leaves freed heap behind: give it back, so
    // an idle server's footprint is what it keeps, not what it once needed.
    ::malloc_trim(0);
    const std::string scheme = config.tls.enabled() ? "https" : "http";
    const std::string shown_host =
        endpoint.address().is_v6() ? "[" + endpoint.address().to_string() + "]" : endpoint.address().to_string();
    // Scripts and tests read this line to learn the port when listening on port 0.
    if (!collectors_address.empty()) std::printf("collectors listening on https://%s\n", collectors_address.c_str());
    std::printf("listening on %s://%s:%u\n", scheme.c_str(), shown_host.c_str(), endpoint.port());
    std::fflush(stdout);
    core::LogInfo("server.started",
                  {{"listen", shown_host + ":" + std::to_string(endpoint.port())}, {"io_threads", IoThreads(config)}});

    io.Run();
    scheduler.Stop();
    refusals.Flush(api::RefusalSummary::Clock::now(), true);
    try {
        identity.service->FlushTokenUseBlocking();
    } catch (const std::exception& e) {
        core::LogWarn("auth.token_use_not_written", {{"error", e.what()}});
    }
    audit.Flush();  // before the pools stop: the audit writer runs on the database's write pool

    workers.Join();
    passwords.Join();
    ssh_pool.Join();
    ssh_probe_pool.Join();
    ssh_interactive_pool.Join();
    pg_workers.Join();
    database->read_pool().Join();
    database->write_pool().Join();
    core::LogInfo("server.stopped", {{"exit_code", exit_code}});
    return exit_code;
}

}  // namespace gatehouse::app
