#pragma once
// The apps module's SQL; blocking, called inside Database::Read/Write.

#include "apps/app_types.hpp"
#include "store/database.hpp"

namespace gatehouse::apps::sql {

using store::Connection;

std::optional<ProjectView> FindProject(Connection& c, std::string_view id);
std::vector<ProjectView> ListProjects(Connection& c, std::string_view after_id, std::size_t limit);
/// Throw core::Error(already_exists) for a taken name.
void InsertProject(Connection& c, const ProjectView& project);
void UpdateProject(Connection& c, const ProjectView& project);
/// Deletes the project (its apps go by ON DELETE CASCADE); returns how many apps it had.
std::int64_t DeleteProject(Connection& c, std::string_view id);

/// The id of the server whose id, or else name, is `id_or_name`.
std::optional<std::string> ServerIdOf(Connection& c, std::string_view id_or_name);

std::optional<AppView> FindApp(Connection& c, std::string_view id);
std::vector<AppView> ListApps(Connection& c, const AppFilter& filter, std::string_view after_id, std::size_t limit);
/// Throw core::Error(already_exists) for a name taken in the project.
void InsertApp(Connection& c, const AppView& app);
void UpdateApp(Connection& c, const AppView& app);  // the definition, not the run state
void DeleteApp(Connection& c, std::string_view id);
/// A new limit and auto-stop deadline for the run that started at `started_at`; false when the app is not
/// in that run any more (stopped, or restarted meanwhile).
bool SetRunLimit(Connection& c, std::string_view id, std::string_view started_at, int minutes,
                 std::optional<std::string> at, std::optional<std::int64_t> epoch);

/// Moves the app from `from` to `to`; false when its status was not `from` any more.
bool SetStatus(Connection& c, std::string_view id, AppStatus from, AppStatus to);
/// Records the task of the current run, unless a newer task is recorded already.
void SetLastTask(Connection& c, std::string_view id, std::string_view task_id);

/// The end of a compose task: only applies while the app is still in `from` (starting / stopping).
struct RunEnd {
    AppStatus from = AppStatus::starting;
    AppStatus status = AppStatus::failed;
    std::string task_id;
    bool clear_started = false;
    std::optional<std::string> started_at;  // set when given
    std::optional<std::string> auto_stop_at;
    std::optional<std::int64_t> auto_stop_epoch;
    std::optional<int> run_auto_stop_minutes;  // the limit of a run that started
};
bool EndRun(Connection& c, std::string_view id, const RunEnd& end);

/// Running apps whose deadline has passed: by either the epoch or the RFC 3339 column.
std::vector<AppView> DueForAutoStop(Connection& c, std::int64_t now_epoch, std::string_view now_text);
/// Claims a due app for its auto-stop: running -> stopping, only while it is still due.
bool ClaimAutoStop(Connection& c, std::string_view id, std::int64_t now_epoch, std::string_view now_text);

/// Apps left starting or stopping whose last task is not queued or running any more: now failed.
std::vector<std::string> FailOrphaned(Connection& c);

}  // namespace gatehouse::apps::sql
