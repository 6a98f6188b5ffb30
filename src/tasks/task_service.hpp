#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>

#include "audit/audit_log.hpp"
#include "fleet/fleet_service.hpp"
#include "metrics/counter_vec.hpp"
#include "store/counts.hpp"
#include "store/database.hpp"
#include "tasks/live.hpp"
#include "tasks/task_types.hpp"

namespace gatehouse::tasks {

/// What to run where. Targets are server ids and/or every server carrying all `selector_tags`.
struct TaskRequest {
    std::string kind = "exec";
    std::vector<std::string> server_ids;
    std::vector<std::string> selector_tags;
    bool has_selector = false;
    std::string command;         // exec: the user's shell text; other kinds: built by the service
    boost::json::object params;  // shown in the task object
    int timeout_s = 300;         // per target
    int concurrency = 32;
    Creator creator;
};

/// Called once a task has finished and its final state is stored (on the service's executor).
using FinishHook = std::function<boost::asio::awaitable<void>(const TaskView&)>;

struct TaskOptions {
    std::string instance_id;  // tasks record which process runs them
    std::chrono::seconds heartbeat{5};
    std::chrono::seconds stale_after{30};  // another instance's task without a heartbeat this long is dead
    // Queued events are shared by all watchers, so this also bounds the memory of many watchers.
    std::size_t watcher_queue_bytes = std::size_t{16} << 20;
};

/// What this process's runs did, for /metrics.
struct TaskCounters {
    metrics::CounterVec tasks;                   // tasks ended, by final state
    metrics::CounterVec targets;                 // targets ended, by final state
    std::atomic<std::uint64_t> output_bytes{0};  // bytes of stdout and stderr received from targets
};

/// Remote work on servers: tasks with per-target state, persisted output and live watchers.
/// Awaitables are called from coroutines on I/O executors; runs execute on `executor`.
/// Expected failures are core::Error: invalid_argument, not_found, conflict.
class TaskService {
  public:
    TaskService(store::Database& database, fleet::FleetService& fleet, audit::AuditLog& audit,
                boost::asio::any_io_executor executor, TaskOptions options);
    ~TaskService();

    /// Validates, stores the task as queued and starts it. Returns at once with the stored view.
    boost::asio::awaitable<TaskView> Submit(TaskRequest request, FinishHook on_finish = {});
    /// A deploy_key / revoke_key task for `key_id` on the request's targets. A revoke from a server that logs in
    /// with the key would lock gatehouse out of it: conflict naming those servers, unless `force`.
    boost::asio::awaitable<TaskView> EditKey(std::string key_id, bool deploy, TaskRequest request, bool force = false);

    boost::asio::awaitable<TaskView> Get(std::string id);
    boost::asio::awaitable<Page<TaskView>> List(TaskFilter filter, std::size_t limit, std::string cursor);
    /// Stored output after `after_seq`, oldest first (all of the task's output is stored once it
    /// finished): at most `limit` chunks and, past the first chunk, at most `max_bytes` of data.
    boost::asio::awaitable<std::vector<Chunk>> Output(std::string id, std::optional<std::string> server_id,
                                                      std::int64_t after_seq, std::size_t limit,
                                                      std::size_t max_bytes = std::size_t{4} << 20);
    /// Stops a queued or running task: queued targets never start, running ones are stopped remotely.
    /// conflict when the task already finished.
    boost::asio::awaitable<TaskView> Cancel(std::string id);

    /// Tasks in the database (every instance's) by state.
    boost::asio::awaitable<store::Counts> CountByState();
    const TaskCounters& counters() const noexcept;

    /// Live events of a task running in this process (watcher null when it is not running here).
    TaskRun::Subscription Watch(const std::string& id, boost::asio::any_io_executor executor);

    /// Start-up: marks tasks this instance left unfinished (and dead instances' tasks) interrupted.
    /// Blocking. Returns how many.
    std::size_t RecoverInterrupted();
    /// Scheduler job: heartbeat of this instance's tasks, and the sweep for dead instances' tasks.
    boost::asio::awaitable<void> Maintain();
    /// Shutdown: running tasks end as interrupted (remote work stopped), waiting up to `grace`.
    boost::asio::awaitable<void> Stop(std::chrono::milliseconds grace);

    struct Impl;

  private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace gatehouse::tasks
