#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/paging.hpp"

namespace gatehouse::tasks {

/// Kinds of remote work. Each runs one command line per target; deploy_key and revoke_key report a
/// per-target `result` read from the command's last line of output.
inline constexpr std::string_view kKinds[] = {"exec", "deploy_key", "revoke_key", "compose_up", "compose_down"};

/// A task's state. Its name is kTaskStates[state]: the one mapping to the strings of the API and the store.
enum class TaskState { queued, running, succeeded, failed, cancelled, interrupted };
inline constexpr std::string_view kTaskStates[] = {"queued", "running",   "succeeded",
                                                   "failed", "cancelled", "interrupted"};

/// A target's state: a task's, or `timed_out`. Its name is kTargetStates[state].
enum class TargetState { queued, running, succeeded, failed, timed_out, cancelled, interrupted };
inline constexpr std::string_view kTargetStates[] = {"queued",    "running",   "succeeded",  "failed",
                                                     "timed_out", "cancelled", "interrupted"};

std::string_view Name(TaskState state) noexcept;
std::string_view Name(TargetState state) noexcept;
/// nullopt for a name outside the list (a row written by something else is a bug, reported where it is read).
std::optional<TaskState> ParseTaskState(std::string_view name) noexcept;
std::optional<TargetState> ParseTargetState(std::string_view name) noexcept;
/// Neither queued nor running.
bool IsFinal(TaskState state) noexcept;
bool IsFinal(TargetState state) noexcept;

struct TargetView {
    std::string server_id;
    std::string server_name;
    TargetState state = TargetState::queued;
    std::optional<int> exit_code;
    std::optional<std::string> started_at;
    std::optional<std::string> finished_at;
    std::optional<std::string> result;  // added | already_present | removed | absent (key tasks)
    std::optional<std::string> error;   // why it failed, safe to show
};

struct TaskView {
    std::string id;
    std::string kind;
    TaskState state = TaskState::queued;
    boost::json::object params;             // what was asked: {command} for exec, {key_id} for keys, {app_id} for apps
    std::optional<std::string> created_by;  // user id (null for the scheduler)
    std::string created_by_name;
    std::string created_at;
    std::optional<std::string> started_at;
    std::optional<std::string> finished_at;
    int timeout_s = 0;
    int concurrency = 0;
    int done = 0;
    int total = 0;
    bool cancel_requested = false;
    std::vector<TargetView> targets;
};

/// One piece of output as it arrived from a target. `data` is raw bytes (not necessarily UTF-8).
struct Chunk {
    std::int64_t seq = 0;  // orders all chunks of a task
    std::string server_id;
    int stream = 1;  // 1 stdout, 2 stderr
    std::string time;
    std::string data;
};

struct TaskFilter {
    std::optional<TaskState> state;
    std::optional<std::string> kind;
    std::optional<std::string> server_id;  // a target's server id or name
    std::optional<std::string> created_by;
};

template <class T>
using Page = store::Page<T>;

/// Who asks for the work: a user, or the scheduler (user_id empty).
struct Creator {
    std::string user_id;
    std::string username;
};

}  // namespace gatehouse::tasks
