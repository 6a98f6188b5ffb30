#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>

#include "apps/app_types.hpp"
#include "audit/audit_log.hpp"
#include "store/counts.hpp"
#include "store/database.hpp"
#include "tasks/task_service.hpp"

namespace gatehouse::apps {

struct AppOptions {
    int up_timeout_s = 900;  // `compose up -d` may pull images
    int down_timeout_s = 300;
};

/// Projects and their docker compose apps; starts and stops run as compose_up / compose_down tasks
/// whose end moves the app to running, stopped or failed. Called from coroutines on I/O executors.
/// Expected failures are core::Error: invalid_argument (naming the field), not_found,
/// already_exists (a taken name), conflict (the app's state does not allow it).
class AppService {
  public:
    AppService(store::Database& database, tasks::TaskService& tasks, audit::AuditLog& audit, AppOptions options = {});
    ~AppService();

    boost::asio::awaitable<Page<ProjectView>> ListProjects(std::size_t limit, std::string cursor);
    boost::asio::awaitable<ProjectView> GetProject(std::string id);
    boost::asio::awaitable<ProjectView> CreateProject(ProjectInput input);
    boost::asio::awaitable<ProjectView> UpdateProject(std::string id, ProjectInput input);
    /// Deletes the project and its apps (their containers are left as they are). Returns how many apps went.
    boost::asio::awaitable<std::int64_t> DeleteProject(std::string id);

    boost::asio::awaitable<Page<AppView>> ListApps(AppFilter filter, std::size_t limit, std::string cursor);
    boost::asio::awaitable<AppView> GetApp(std::string id);
    /// Apps by status (for /metrics).
    boost::asio::awaitable<store::Counts> CountByStatus();
    /// invalid_argument also when project_id or server_id names nothing.
    boost::asio::awaitable<AppView> CreateApp(AppInput input);
    /// A full replace. conflict when it would move an app that is not stopped or failed to another
    /// server or directory (its stop would then run somewhere else).
    boost::asio::awaitable<AppView> UpdateApp(std::string id, AppInput input);
    /// Deletes the app record; its containers are left as they are.
    boost::asio::awaitable<void> DeleteApp(std::string id);

    /// `compose up -d`: allowed when stopped, running (re-run, new deadline) or failed; conflict
    /// while starting or stopping.
    boost::asio::awaitable<AppRun> Start(StartRequest request);
    /// `compose down`: allowed when stopped, running or failed; conflict while starting or stopping.
    boost::asio::awaitable<AppRun> Stop(std::string id, tasks::Creator creator);

    /// Start-up, after TaskService::RecoverInterrupted: apps left starting or stopping whose task
    /// no longer runs become failed. Blocking. Returns how many.
    std::size_t RecoverInterrupted();
    /// Scheduler job: stops every running app whose deadline has passed (a compose_down task by
    /// the scheduler, and an app.auto_stop audit event). Returns how many it stopped.
    boost::asio::awaitable<std::size_t> AutoStopDue();

    struct Impl;

  private:
    std::shared_ptr<Impl> impl_;
};

/// Input rules; throw core::Error(invalid_argument) naming the field.
void ValidateProjectInput(const ProjectInput& input);
void ValidateAppInput(const AppInput& input);
void ValidateAutoStopMinutes(int minutes);

}  // namespace gatehouse::apps
