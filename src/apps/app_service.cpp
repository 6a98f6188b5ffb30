#include "apps/app_service.hpp"

#include "apps/app_impl.hpp"
#include "apps/app_sql.hpp"
#include "core/errc.hpp"
#include "core/ids.hpp"
#include "core/time.hpp"
#include "store/paging.hpp"

namespace gatehouse::apps {

std::string_view Name(AppStatus status) noexcept { return kAppStates[static_cast<std::size_t>(status)]; }

std::optional<AppStatus> ParseAppStatus(std::string_view name) noexcept {
    for (std::size_t i = 0; i < std::size(kAppStates); ++i)
        if (kAppStates[i] == name) return static_cast<AppStatus>(i);
    return std::nullopt;
}

core::Error NotFound(std::string_view what) {
    return core::Error(core::errc::not_found, "no such " + std::string(what));
}

using store::CheckCursor;
using store::Paged;

namespace {

// Runs `write` and turns a unique violation into a 409 naming what is taken.
template <class F>
void Unique(std::string_view taken, F write) {
    try {
        write();
    } catch (const core::Error& e) {
        if (e.code() == core::errc::already_exists) throw core::Error(core::errc::already_exists, std::string(taken));
        throw;
    }
}

// Checks what the input refers to; `server_id` may name the server, and becomes its id.
void CheckReferences(store::Connection& c, AppInput& in) {
    if (!sql::FindProject(c, in.project_id))
        throw core::Error(core::errc::invalid_argument, "field 'project_id': no such project");
    auto server_id = sql::ServerIdOf(c, in.server_id);
    if (!server_id) throw core::Error(core::errc::invalid_argument, "field 'server_id': no such server");
    in.server_id = std::move(*server_id);
}

void Apply(AppView& app, const AppInput& in) {
    app.name = in.name;
    app.project_id = in.project_id;
    app.server_id = in.server_id;
    app.cd_path = in.cd_path;
    app.app_url = in.app_url;
    app.auto_stop_minutes = in.auto_stop_minutes;
    app.updated_at = core::NowRfc3339();
}

}  // namespace

AppService::AppService(store::Database& database, tasks::TaskService& tasks, audit::AuditLog& audit, AppOptions options)
    : impl_(std::make_shared<Impl>(Impl{database, tasks, audit, options})) {}

AppService::~AppService() = default;

boost::asio::awaitable<Page<ProjectView>> AppService::ListProjects(std::size_t limit, std::string cursor) {
    const auto after = CheckCursor(cursor);
    auto rows = co_await impl_->db.Read([&](store::Connection& c) { return sql::ListProjects(c, after, limit + 1); });
    co_return Paged(std::move(rows), limit);
}

boost::asio::awaitable<ProjectView> AppService::GetProject(std::string id) {
    auto project = co_await impl_->db.Read([&](store::Connection& c) { return sql::FindProject(c, id); });
    if (!project) throw NotFound("project");
    co_return *project;
}

boost::asio::awaitable<ProjectView> AppService::CreateProject(ProjectInput input) {
    ValidateProjectInput(input);
    const auto now = core::NowRfc3339();
    ProjectView project{core::NewUuidV7(), std::move(input.name), std::move(input.description), now, now};
    co_await impl_->db.Write([&](store::Connection& c) {
        Unique("project name '" + project.name + "' is taken", [&] { sql::InsertProject(c, project); });
    });
    co_return project;
}

boost::asio::awaitable<ProjectView> AppService::UpdateProject(std::string id, ProjectInput input) {
    ValidateProjectInput(input);
    co_return co_await impl_->db.Write([&](store::Connection& c) {
        auto project = sql::FindProject(c, id);
        if (!project) throw NotFound("project");
        project->name = input.name;
        project->description = input.description;
        project->updated_at = core::NowRfc3339();
        Unique("project name '" + project->name + "' is taken", [&] { sql::UpdateProject(c, *project); });
        return *project;
    });
}

boost::asio::awaitable<std::int64_t> AppService::DeleteProject(std::string id) {
    co_return co_await impl_->db.Write([&](store::Connection& c) {
        if (!sql::FindProject(c, id)) throw NotFound("project");
        return sql::DeleteProject(c, id);
    });
}

boost::asio::awaitable<Page<AppView>> AppService::ListApps(AppFilter filter, std::size_t limit, std::string cursor) {
    const auto after = CheckCursor(cursor);
    auto rows =
        co_await impl_->db.Read([&](store::Connection& c) { return sql::ListApps(c, filter, after, limit + 1); });
    co_return Paged(std::move(rows), limit);
}

boost::asio::awaitable<store::Counts> AppService::CountByStatus() {
    co_return co_await impl_->db.Read([](store::Connection& c) { return store::CountBy(c, "apps", "status"); });
}

boost::asio::awaitable<AppView> AppService::GetApp(std::string id) {
    auto app = co_await impl_->db.Read([&](store::Connection& c) { return sql::FindApp(c, id); });
    if (!app) throw NotFound("app");
    co_return *app;
}

boost::asio::awaitable<AppView> AppService::CreateApp(AppInput input) {
    ValidateAppInput(input);
    co_return co_await impl_->db.Write([&](store::Connection& c) {
        CheckReferences(c, input);
        AppView app;
        app.id = core::NewUuidV7();
        app.created_at = core::NowRfc3339();
        Apply(app, input);
        Unique("app name '" + app.name + "' is taken in the project", [&] { sql::InsertApp(c, app); });
        return app;
    });
}

boost::asio::awaitable<AppView> AppService::UpdateApp(std::string id, AppInput input) {
    ValidateAppInput(input);
    co_return co_await impl_->db.Write([&](store::Connection& c) {
        auto app = sql::FindApp(c, id);
        if (!app) throw NotFound("app");
        CheckReferences(c, input);
        const bool moves = app->server_id != input.server_id || app->cd_path != input.cd_path;
        if (moves && app->status != AppStatus::stopped && app->status != AppStatus::failed)
            throw core::Error(core::errc::conflict, "the app is " + std::string(Name(app->status)) +
                                                        "; stop it before changing its server_id or cd_path");
        // A new limit applies to the current run too: its deadline is counted again from started_at.
        const bool new_limit = app->auto_stop_minutes != input.auto_stop_minutes;
        Apply(*app, input);
        Unique("app name '" + app->name + "' is taken in the project", [&] { sql::UpdateApp(c, *app); });
        const auto started = new_limit && app->status == AppStatus::running && app->started_at
                                 ? core::ParseRfc3339(*app->started_at)
                                 : std::nullopt;
        if (started) {
            auto deadline = DeadlineOf(*started, app->auto_stop_minutes);
            if (sql::SetRunLimit(c, app->id, *app->started_at, app->auto_stop_minutes, deadline.at, deadline.epoch)) {
                app->auto_stop_at = std::move(deadline.at);
                app->auto_stop_epoch = deadline.epoch;
                app->run_auto_stop_minutes = app->auto_stop_minutes;
            }
        }
        return *app;
    });
}

boost::asio::awaitable<void> AppService::DeleteApp(std::string id) {
    co_await impl_->db.Write([&](store::Connection& c) {
        if (!sql::FindApp(c, id)) throw NotFound("app");
        sql::DeleteApp(c, id);
    });
}

}  // namespace gatehouse::apps
