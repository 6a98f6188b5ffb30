// Starting and stopping apps: compose tasks, their end, auto-stop and start-up recovery.

#include <boost/asio/use_awaitable.hpp>

#include "apps/app_impl.hpp"
#include "apps/app_sql.hpp"
#include "core/errc.hpp"
#include "core/log.hpp"
#include "core/time.hpp"
#include "tasks/remote_commands.hpp"

namespace gatehouse::apps {
namespace {

namespace asio = boost::asio;
using Clock = core::Clock;

// What a finished compose task means for its app. Only applies while the app is still in the state
// the run put it in: one task at a time per app, since starting/stopping refuse another.
struct RunEndArgs {
    std::shared_ptr<AppService::Impl> impl;
    std::string app_id;
    bool up = true;
    int minutes = 0;
    std::string task_id;
    tasks::TaskState task_state = tasks::TaskState::failed;
};

asio::awaitable<void> Finished(RunEndArgs args) {
    const bool ok = args.task_state == tasks::TaskState::succeeded;
    sql::RunEnd end;
    end.from = args.up ? AppStatus::starting : AppStatus::stopping;
    end.task_id = args.task_id;
    if (!ok) {
        end.status = AppStatus::failed;  // nothing auto-stops a failed app: the deadline goes
    } else if (args.up) {
        const auto now = Clock::now();
        end.status = AppStatus::running;
        end.started_at = core::FormatRfc3339(now);
        auto deadline = DeadlineOf(now, args.minutes);
        end.auto_stop_at = std::move(deadline.at);
        end.auto_stop_epoch = deadline.epoch;
        end.run_auto_stop_minutes = args.minutes;
    } else {
        end.status = AppStatus::stopped;
        end.clear_started = true;
    }
    const bool applied =
        co_await args.impl->db.Write([&](store::Connection& c) { return sql::EndRun(c, args.app_id, end); });
    core::LogInfo("app.run_finished", {{"app_id", args.app_id},
                                       {"task_id", args.task_id},
                                       {"task_state", tasks::Name(args.task_state)},
                                       {"status", applied ? Name(end.status) : "(app gone or moved on)"}});
}

struct LaunchArgs {
    AppView app;  // already claimed: status is starting / stopping
    AppStatus previous_status = AppStatus::stopped;
    bool up = true;
    int minutes = 0;
    tasks::Creator creator;
    boost::json::object extra_params;
};

// Submits the compose task of a claimed app and records it; gives the claim back when it cannot.
asio::awaitable<AppRun> Launch(std::shared_ptr<AppService::Impl> impl, LaunchArgs args) {
    tasks::TaskRequest request;
    request.kind = args.up ? "compose_up" : "compose_down";
    request.server_ids = {args.app.server_id};
    request.command = tasks::ComposeCommand(args.app.cd_path, args.up);
    request.timeout_s = args.up ? impl->options.up_timeout_s : impl->options.down_timeout_s;
    request.concurrency = 1;
    request.creator = args.creator;
    request.params = {{"app_id", args.app.id}, {"app_name", args.app.name}, {"cd_path", args.app.cd_path}};
    if (args.up) request.params["auto_stop_minutes"] = args.minutes;
    for (const auto& [key, value] : args.extra_params) request.params[key] = value;
    tasks::FinishHook hook = [impl, id = args.app.id, up = args.up, minutes = args.minutes](const tasks::TaskView& t) {
        return Finished(RunEndArgs{impl, id, up, minutes, t.id, t.state});
    };

    std::optional<tasks::TaskView> task;
    std::exception_ptr error;
    try {
        task = co_await impl->tasks.Submit(std::move(request), std::move(hook));
    } catch (...) {
        error = std::current_exception();
    }
    const std::string& id = args.app.id;
    if (error) {
        co_await impl->db.Write(
            [&](store::Connection& c) { sql::SetStatus(c, id, args.app.status, args.previous_status); });
        std::rethrow_exception(error);
    }
    const std::string& task_id = task->id;
    co_await impl->db.Write([&](store::Connection& c) { sql::SetLastTask(c, id, task_id); });
    args.app.last_task_id = task->id;
    co_return AppRun{std::move(args.app), std::move(*task)};
}

// Claims an app for a start or stop: refused while another compose task of it runs.
asio::awaitable<AppView> Claim(AppService::Impl& impl, const std::string& id, AppStatus to) {
    co_return co_await impl.db.Write([&](store::Connection& c) {
        auto app = sql::FindApp(c, id);
        if (!app) throw NotFound("app");
        const bool busy = app->status == AppStatus::starting || app->status == AppStatus::stopping;
        if (busy || !sql::SetStatus(c, id, app->status, to))
            throw core::Error(core::errc::conflict, "the app is " + std::string(Name(app->status)) +
                                                        "; wait until its compose task has finished");
        return *app;
    });
}

audit::Event AutoStopEvent(const AppView& app, int minutes, const std::string& task_id) {
    audit::Event event;
    event.actor_kind = "system";
    event.actor_name = "scheduler";
    event.action = "app.auto_stop";
    event.resource_type = "app";
    event.resource_id = app.id;
    event.outcome = "success";
    event.details = {{"reason", "auto_stop_minutes elapsed"},
                     {"auto_stop_minutes", minutes},
                     {"started_at", app.started_at ? boost::json::value(*app.started_at) : nullptr},
                     {"auto_stop_at", app.auto_stop_at ? boost::json::value(*app.auto_stop_at) : nullptr},
                     {"task_id", task_id},
                     {"app_name", app.name},
                     {"server_id", app.server_id}};
    return event;
}

}  // namespace

Deadline DeadlineOf(Clock::time_point started, int minutes) {
    if (minutes <= 0) return {};
    const auto deadline = started + std::chrono::minutes(minutes);
    return {core::FormatRfc3339(deadline),
            std::chrono::ceil<std::chrono::seconds>(deadline.time_since_epoch()).count()};
}

asio::awaitable<AppRun> AppService::Start(StartRequest request) {
    const auto& app_minutes = request.auto_stop_minutes;
    if (app_minutes) ValidateAutoStopMinutes(*app_minutes);
    auto app = co_await Claim(*impl_, request.app_id, AppStatus::starting);
    LaunchArgs args;
    args.previous_status = app.status;
    args.minutes = app_minutes.value_or(app.auto_stop_minutes);
    args.app = std::move(app);
    args.app.status = AppStatus::starting;
    args.up = true;
    args.creator = std::move(request.creator);
    co_return co_await Launch(impl_, std::move(args));
}

asio::awaitable<AppRun> AppService::Stop(std::string id, tasks::Creator creator) {
    auto app = co_await Claim(*impl_, id, AppStatus::stopping);
    LaunchArgs args;
    args.previous_status = app.status;
    args.app = std::move(app);
    args.app.status = AppStatus::stopping;
    args.up = false;
    args.creator = std::move(creator);
    co_return co_await Launch(impl_, std::move(args));
}

std::size_t AppService::RecoverInterrupted() {
    std::vector<std::string> ids;
    impl_->db.WithTransaction([&](store::Connection& c) { ids = sql::FailOrphaned(c); });
    for (const auto& id : ids) core::LogWarn("app.interrupted", {{"app_id", id}, {"status", "failed"}});
    return ids.size();
}

asio::awaitable<std::size_t> AppService::AutoStopDue() {
    const auto now = Clock::now();
    const auto now_epoch = std::chrono::floor<std::chrono::seconds>(now.time_since_epoch()).count();
    const auto now_text = core::FormatRfc3339(now);
    auto due =
        co_await impl_->db.Read([&](store::Connection& c) { return sql::DueForAutoStop(c, now_epoch, now_text); });
    std::size_t stopped = 0;
    for (auto& app : due) {
        const std::string& id = app.id;
        const bool claimed = co_await impl_->db.Write(
            [&](store::Connection& c) { return sql::ClaimAutoStop(c, id, now_epoch, now_text); });
        if (!claimed) continue;  // stopped, restarted or claimed by another instance meanwhile
        // The run's own limit: a start may override the app's, a PUT may change it while the app runs.
        const int minutes = app.run_auto_stop_minutes.value_or(app.auto_stop_minutes);
        LaunchArgs args;
        args.previous_status = AppStatus::running;
        args.app = app;
        args.app.status = AppStatus::stopping;
        args.up = false;
        args.creator = tasks::Creator{"", "scheduler"};
        args.extra_params = {{"reason", "auto_stop"}};
        std::optional<AppRun> run;
        try {
            run = co_await Launch(impl_, std::move(args));
        } catch (const std::exception& e) {
            // Given back to running: the next round tries again.
            core::LogError("app.auto_stop_failed", {{"app_id", app.id}, {"error", e.what()}});
        }
        if (!run) continue;
        impl_->audit.Record(AutoStopEvent(app, minutes, run->task.id));
        core::LogInfo("app.auto_stop", {{"app_id", app.id}, {"task_id", run->task.id}, {"auto_stop_minutes", minutes}});
        ++stopped;
    }
    co_return stopped;
}

}  // namespace gatehouse::apps
