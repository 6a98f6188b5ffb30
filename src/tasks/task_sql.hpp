#pragma once

#include "store/database.hpp"
#include "tasks/task_types.hpp"

namespace gatehouse::tasks::sql {

using store::Connection;

void InsertTask(Connection& c, const TaskView& task, std::string_view instance_id, std::int64_t heartbeat_epoch);
std::optional<TaskView> FindTask(Connection& c, std::string_view id);
/// Newest first; `before_id` empty for the first page.
std::vector<TaskView> ListTasks(Connection& c, const TaskFilter& filter, std::string_view before_id, std::size_t limit);

void UpdateTask(Connection& c, const TaskView& task);  // state, started/finished, done
void UpdateTarget(Connection& c, std::string_view task_id, const TargetView& target);
void RequestCancel(Connection& c, std::string_view task_id);
/// Whether a cancel was asked for the task (through any instance).
bool CancelRequested(Connection& c, std::string_view task_id);

void InsertChunks(Connection& c, std::string_view task_id, const std::vector<Chunk>& chunks);
std::vector<Chunk> ReadChunks(Connection& c, std::string_view task_id, const std::optional<std::string>& server_id,
                              std::int64_t after_seq, std::size_t limit);

/// Marks unfinished tasks (and their unfinished targets) interrupted: those of `instance_id`, and
/// those whose owner has not beaten its heart since `stale_epoch`. Returns the task ids.
std::vector<std::string> MarkInterrupted(Connection& c, std::string_view instance_id, std::int64_t stale_epoch,
                                         std::string_view now);
/// Ends a task whose run failed: its unfinished targets and the task become failed with `error`.
void FailUnfinished(Connection& c, std::string_view task_id, std::string_view now, std::string_view error);
void Heartbeat(Connection& c, std::string_view instance_id, std::int64_t epoch);

}  // namespace gatehouse::tasks::sql
