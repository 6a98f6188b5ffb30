#include "app/work_metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>
#include <span>

namespace gatehouse::app {
namespace {

// /metrics is public: however often it is scraped, the database is counted at most this often.
constexpr auto kCountInterval = std::chrono::seconds(1);

/// Database counts kept between scrapes.
struct StoredCounts {
    std::mutex mutex;
    std::chrono::steady_clock::time_point counted_at{};
    bool counting = false;
    store::Counts tasks;
    store::Counts apps;
};

std::string Label(std::string_view name, std::string_view value) {
    return fmt::format("{}=\"{}\"", name, metrics::LabelValue(value));
}

/// Every value of `domain` once (0 when absent), then any other value the counts hold.
template <class Count>
void WriteByLabel(metrics::Writer& w, std::string_view family, std::string_view label,
                  std::span<const std::string_view> domain, const std::vector<std::pair<std::string, Count>>& counts) {
    const auto count_of = [&counts](std::string_view value) {
        for (const auto& [name, n] : counts)
            if (name == value) return static_cast<double>(n);
        return 0.0;
    };
    for (const auto value : domain) w.Sample(family, Label(label, value), count_of(value));
    for (const auto& [name, n] : counts) {
        if (std::find(domain.begin(), domain.end(), name) == domain.end())
            w.Sample(family, Label(label, name), static_cast<double>(n));
    }
}

boost::asio::awaitable<void> Recount(StoredCounts& counts, tasks::TaskService& tasks, apps::AppService& apps) {
    {
        const std::lock_guard lock(counts.mutex);
        const auto now = std::chrono::steady_clock::now();
        if (counts.counting || now - counts.counted_at < kCountInterval) co_return;
        counts.counting = true;
        counts.counted_at = now;
    }
    store::Counts task_counts;
    store::Counts app_counts;
    std::exception_ptr failure;
    try {
        task_counts = co_await tasks.CountByState();
        app_counts = co_await apps.CountByStatus();
    } catch (...) {
        failure = std::current_exception();
    }
    {
        const std::lock_guard lock(counts.mutex);
        counts.counting = false;
        if (!failure) {
            counts.tasks = std::move(task_counts);
            counts.apps = std::move(app_counts);
        }
    }
    if (failure) std::rethrow_exception(failure);
}

}  // namespace

void AddWorkMetrics(metrics::Registry& registry, tasks::TaskService& tasks, apps::AppService& apps,
                    const fleet::FleetService& fleet, const ssh::SshClient& ssh) {
    auto counts = std::make_shared<StoredCounts>();
    registry.AddRefresher([counts, &tasks, &apps]() { return Recount(*counts, tasks, apps); });
    registry.Add([counts](metrics::Writer& w) {
        const std::lock_guard lock(counts->mutex);
        w.Family("gatehouse_tasks", "gauge", "Tasks in the database by state (every instance's).");
        WriteByLabel(w, "gatehouse_tasks", "state", tasks::kTaskStates, counts->tasks);
        w.Family("gatehouse_apps", "gauge", "Compose apps by status.");
        WriteByLabel(w, "gatehouse_apps", "status", apps::kAppStates, counts->apps);
    });
    registry.Add([&tasks, &fleet](metrics::Writer& w) {
        const auto& task_counters = tasks.counters();
        w.Family("gatehouse_tasks_finished_total", "counter", "Tasks this process ran to their end, by final state.");
        WriteByLabel(w, "gatehouse_tasks_finished_total", "state", std::span(tasks::kTaskStates).subspan(2),
                     task_counters.tasks.Snapshot());
        w.Family("gatehouse_task_targets_total", "counter",
                 "Task targets this process ran to their end, by final state (failed, timed_out: did not succeed).");
        WriteByLabel(w, "gatehouse_task_targets_total", "state", std::span(tasks::kTargetStates).subspan(2),
                     task_counters.targets.Snapshot());
        w.Family("gatehouse_task_output_bytes_total", "counter", "Bytes of stdout and stderr received from targets.");
        w.Sample("gatehouse_task_output_bytes_total", "",
                 static_cast<double>(task_counters.output_bytes.load(std::memory_order_relaxed)));
        w.Family("gatehouse_server_probes_total", "counter", "Server status probes by the status they found.");
        WriteByLabel(w, "gatehouse_server_probes_total", "status", std::span(fleet::kServerStatuses).subspan(1),
                     fleet.probe_results().Snapshot());
    });
    registry.Add([&ssh](metrics::Writer& w) {
        const auto& c = ssh.counters();
        w.Family("gatehouse_ssh_connections_total", "counter",
                 "SSH connections: opened (new, logged in), reused (an idle session served the call), failed "
                 "(a new one ended before its login).");
        w.Sample("gatehouse_ssh_connections_total", Label("result", "opened"),
                 static_cast<double>(c.opened.load(std::memory_order_relaxed)));
        w.Sample("gatehouse_ssh_connections_total", Label("result", "reused"),
                 static_cast<double>(c.reused.load(std::memory_order_relaxed)));
        w.Sample("gatehouse_ssh_connections_total", Label("result", "failed"),
                 static_cast<double>(c.failed.load(std::memory_order_relaxed)));
        w.Family("gatehouse_ssh_handshake_seconds", "histogram",
                 "TCP connect, key exchange and host-key check of new SSH connections.");
        w.HistogramSamples("gatehouse_ssh_handshake_seconds", "", c.handshake_seconds);
    });
}

void AddPoolMetrics(metrics::Registry& registry, const pgmon::MonitorService& monitor) {
    registry.Add([&monitor](metrics::Writer& w) {
        const auto rows = monitor.Pools();
        const auto labels = [](const pgmon::PoolRow& row) {
            return "server_id=\"" + metrics::LabelValue(row.server_id) + "\",database=\"" +
                   metrics::LabelValue(row.database) + "\",class=\"" + metrics::LabelValue(row.pool_class) + "\"";
        };
        w.Family("gatehouse_pg_pool_connections", "gauge", "Monitoring connections by state");
        for (const auto& row : rows) {
            w.Sample("gatehouse_pg_pool_connections", labels(row) + ",state=\"in_use\"", row.in_use);
            w.Sample("gatehouse_pg_pool_connections", labels(row) + ",state=\"idle\"", row.idle);
        }
        w.Family("gatehouse_pg_pool_waiting", "gauge", "Calls waiting for a monitoring connection");
        for (const auto& row : rows) w.Sample("gatehouse_pg_pool_waiting", labels(row), row.waiting);
        w.Family("gatehouse_pg_pool_created_total", "counter", "Monitoring connections opened");
        for (const auto& row : rows)
            w.Sample("gatehouse_pg_pool_created_total", labels(row), static_cast<double>(row.created_total));
        w.Family("gatehouse_pg_pool_errors_total", "counter", "Failed connects and broken monitoring connections");
        for (const auto& row : rows)
            w.Sample("gatehouse_pg_pool_errors_total", labels(row), static_cast<double>(row.errors_total));
    });
}

}  // namespace gatehouse::app
