#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tasks/task_types.hpp"

namespace gatehouse::apps {

struct ProjectView {
    std::string id;
    std::string name;
    std::string description;
    std::string created_at;
    std::string updated_at;
};

struct ProjectInput {
    std::string name;
    std::string description;
};

/// An app's status. Its name is kAppStates[status]: the one mapping to the strings of the API and the store.
enum class AppStatus { stopped, starting, running, stopping, failed };
inline constexpr std::string_view kAppStates[] = {"stopped", "starting", "running", "stopping", "failed"};
std::string_view Name(AppStatus status) noexcept;
std::optional<AppStatus> ParseAppStatus(std::string_view name) noexcept;
struct AppView {
    std::string id;
    std::string name;
    std::string project_id;
    std::string server_id;
    std::string cd_path;  // the compose directory on the server, passed to the remote shell quoted
    std::string app_url;
    int auto_stop_minutes = 60;  // 0: never
    AppStatus status = AppStatus::stopped;
    std::optional<std::string> started_at;
    std::optional<std::string> auto_stop_at;      // RFC 3339; null when not running or never stopping
    std::optional<std::int64_t> auto_stop_epoch;  // the same deadline in seconds, for the scheduler's query
    std::optional<int> run_auto_stop_minutes;     // the limit of the current run (null when not running)
    std::optional<std::string> last_task_id;
    std::string created_at;
    std::string updated_at;
};

/// What a create or a full replace says.
struct AppInput {
    std::string name;
    std::string project_id;
    std::string server_id;
    std::string cd_path;
    std::string app_url;
    int auto_stop_minutes = 60;
};

struct AppFilter {
    std::optional<std::string> project_id;
    std::optional<std::string> server_id;
    std::optional<AppStatus> status;
};

template <class T>
using Page = tasks::Page<T>;

/// A start or stop: the app as it is now (starting / stopping) and the compose task doing the work.
struct AppRun {
    AppView app;
    tasks::TaskView task;
};

struct StartRequest {
    std::string app_id;
    std::optional<int> auto_stop_minutes;  // overrides the app's value for this run only
    tasks::Creator creator;
};

}  // namespace gatehouse::apps
