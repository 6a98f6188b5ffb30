#include "app/jobs.hpp"

#include "core/log.hpp"

namespace gatehouse::app {

namespace asio = boost::asio;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

void AddJobs(core::Scheduler& scheduler, JobTargets t) {
    const auto& config = t.config;
    scheduler.Every(
        "audit.retention", hours(24),
        [&config, &audit = t.audit]() -> asio::awaitable<void> {
            const auto cutoff = core::Clock::now() - hours(24) * config.audit.retention_days;
            const auto purged = co_await audit.Purge(cutoff);
            core::LogInfo("audit.purged", {{"events", purged}, {"retention_days", config.audit.retention_days}});
        },
        minutes(1));
    scheduler.Every(
        "audit.refusal_summaries", seconds(10),
        [&refusals = t.refusals]() -> asio::awaitable<void> {
            refusals.Flush();
            co_return;
        },
        seconds(10));
    scheduler.Every(
        "auth.expired_tokens", hours(1),
        [&identity = t.identity]() -> asio::awaitable<void> { co_await identity.PurgeExpired(); }, minutes(2));
    // The auth view must not miss a change: a poll of the auth epoch, also what keeps the view "fresh".
    scheduler.Every(
        "auth.sync", milliseconds(500), [&sync = t.auth_sync]() -> asio::awaitable<void> { co_await sync.Poll(); },
        milliseconds(500));
    scheduler.Every(
        "auth.token_use", seconds(30),
        [&identity = t.identity]() -> asio::awaitable<void> { co_await identity.FlushTokenUse(); }, seconds(30));
    scheduler.Every(
        "fleet.probe", seconds(config.fleet.probe_interval_s),
        [&config, &fleet = t.fleet]() -> asio::awaitable<void> {
            co_await fleet.ProbeAll(static_cast<std::size_t>(config.fleet.probe_concurrency));
        },
        seconds(std::min(5, config.fleet.probe_interval_s)));
    scheduler.Every(
        "tasks.maintain", t.task_heartbeat,
        [&tasks = t.tasks]() -> asio::awaitable<void> { co_await tasks.Maintain(); }, t.task_heartbeat);
    scheduler.Every(
        "apps.auto_stop", seconds(config.apps.auto_stop_check_s),
        [&apps = t.apps]() -> asio::awaitable<void> { co_await apps.AutoStopDue(); },
        seconds(std::min(5, config.apps.auto_stop_check_s)));
    scheduler.Every("ssh.close_idle", seconds(30), [&ssh = t.ssh, &pool = t.ssh_pool]() -> asio::awaitable<void> {
        co_await core::Offload(pool, [&ssh] { ssh.CloseIdle(); });
    });
    // At least as often as connections may idle, so none stays open much past postgres.idle_timeout_s.
    scheduler.Every("postgres.close_idle", seconds(std::clamp(config.postgres.idle_timeout_s, 1, 30)),
                    [&pools = t.pg_pools, &pool = t.pg_workers]() -> asio::awaitable<void> {
                        co_await core::Offload(pool, [&pools] { pools.CloseIdle(); });
                    });
    // Catches what LISTEN/NOTIFY may have missed, and drops expired tokens from memory.
    scheduler.Every("gateway.sync", seconds(config.gateway.sync_interval_s),
                    [&gateway = t.gateway]() -> asio::awaitable<void> { co_await gateway.Reload(); });
    scheduler.Every(
        "gateway.sessions", seconds(5),
        [&gateway = t.gateway, &usage = t.gateway_usage]() -> asio::awaitable<void> {
            co_await gateway.FlushSessions(usage.TakeChanged());
        },
        seconds(5));
    // Other instances' registrations, renewals and deletions; retires a rotated-away CA once unused.
    scheduler.Every("collectors.sync", seconds(config.collectors.sync_interval_s),
                    [&collectors = t.collectors]() -> asio::awaitable<void> { co_await collectors.Reload(); });
    // Rollups of what arrived since the last run; partitions ahead and retention at most hourly.
    scheduler.Every(
        "metrics.maintain", seconds(config.metrics.rollup_interval_s),
        [&store = t.metric_store]() -> asio::awaitable<void> { co_await store.Maintain(); }, seconds(1));
    // History of every monitored PostgreSQL without an agent.
    const int sample_s = config.metrics.sample_interval_s > 0 ? config.metrics.sample_interval_s : 15;
    scheduler.Every(
        "metrics.sample", seconds(sample_s),
        [&sampler = t.pg_sampler]() -> asio::awaitable<void> { co_await sampler.SampleOnce(); }, seconds(1));
    scheduler.Every(
        "alerts.evaluate", seconds(config.alerts.eval_interval_s),
        [&alerts = t.alerts]() -> asio::awaitable<void> { co_await alerts.EvaluateAll(); },
        seconds(config.alerts.eval_interval_s));
}

}  // namespace gatehouse::app
