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

/// Task states. A target may also end `timed_out`.
inline constexpr std::string_view kTaskStates[] = {"queued", "running",   "succeeded",
                                                   "failed", "cancelled", "interrupted"};

/// Target states: queued | running | succeeded | failed | timed_out | cancelled | interrupted.
struct TargetView {
    std::string server_id;
    std::string server_name;
    std::string state = "queued";
    std::optional<int> exit_code;
    std::optional<std::string> started_at;
    std::optional<std::string> finished_at;
    std::optional<std::string> result;  // added | already_present | removed | absent (key tasks)
    std::optional<std::string> error;   // why it failed, safe to show
};

struct TaskView {
    std::string id;
    std::string kind;
    std::string state = "queued";
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

bool IsFinalState(std::string_view state) noexcept;

/// One piece of output as it arrived from a target. `data` is raw bytes (not necessarily UTF-8).
struct Chunk {
    std::int64_t seq = 0;  // orders all chunks of a task
    std::string server_id;
    int stream = 1;  // 1 stdout, 2 stderr
    std::string time;
    std::string data;
};

struct TaskFilter {
    std::optional<std::string> state;
    std::optional<std::string> kind;
    std::optional<std::string> server_id;
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
