#pragma once
// Shared by the task service's .cpp files only.

#include <mutex>
#include <unordered_map>

#include "tasks/task_service.hpp"

namespace gatehouse::tasks {

struct TaskService::Impl : std::enable_shared_from_this<Impl> {
    Impl(store::Database& database, fleet::FleetService& fleet_service, audit::AuditLog& audit_log,
         boost::asio::any_io_executor run_executor, TaskOptions task_options)
        : db(database),
          fleet(fleet_service),
          audit(audit_log),
          executor(std::move(run_executor)),
          options(std::move(task_options)) {}

    store::Database& db;
    fleet::FleetService& fleet;
    audit::AuditLog& audit;
    boost::asio::any_io_executor executor;
    TaskOptions options;
    TaskCounters counters;

    std::mutex runs_mutex;
    std::unordered_map<std::string, std::shared_ptr<TaskRun>> runs;  // tasks running in this process

    /// Runs a stored task to its end on `executor`: targets, output, states, the hook.
    boost::asio::awaitable<void> Run(std::shared_ptr<TaskRun> run, TaskView task, std::string command, FinishHook hook);
    /// After a run failed on its own (the database refused a write): the task ends failed instead of
    /// staying running until the next start, its watchers are told, and the hook sees the end.
    boost::asio::awaitable<void> Abandon(std::shared_ptr<TaskRun> run, FinishHook hook);
    std::shared_ptr<TaskRun> FindRun(const std::string& id);
};

/// Runs a finished task's hook; a failure is logged, never thrown.
boost::asio::awaitable<void> CallHook(const FinishHook& hook, const TaskView& task);

}  // namespace gatehouse::tasks
