#include "api/app_handlers.hpp"

#include <boost/json/array.hpp>

#include "api/json_fields.hpp"
#include "api/task_handlers.hpp"
#include "audit/changes.hpp"
#include "core/errc.hpp"
#include "http/json_body.hpp"
#include "http/problem.hpp"

namespace gatehouse::api {

using http::Response;
using http::Status;
namespace json = boost::json;

namespace {

json::object ProjectJson(const apps::ProjectView& p) {
    return {{"id", p.id},
            {"name", p.name},
            {"description", p.description},
            {"created_at", p.created_at},
            {"updated_at", p.updated_at}};
}

json::object AppJson(const apps::AppView& a) {
    return {{"id", a.id},
            {"name", a.name},
            {"project_id", a.project_id},
            {"server_id", a.server_id},
            {"cd_path", a.cd_path},
            {"app_url", a.app_url},
            {"auto_stop_minutes", a.auto_stop_minutes},
            {"status", apps::Name(a.status)},
            {"started_at", OptionalJson(a.started_at)},
            {"auto_stop_at", OptionalJson(a.auto_stop_at)},
            {"last_task_id", OptionalJson(a.last_task_id)},
            {"created_at", a.created_at},
            {"updated_at", a.updated_at}};
}

template <class T, class F>
Response PageJson(const apps::Page<T>& page, F convert) {
    json::array items;
    for (const auto& item : page.items) items.push_back(convert(item));
    return http::Json(Status::ok, {{"items", std::move(items)}, {"next_cursor", OptionalJson(page.next_cursor)}});
}

std::optional<int> OptionalMinutes(const json::object& body) {
    const auto* value = body.if_contains("auto_stop_minutes");
    if (!value || value->is_null()) return std::nullopt;
    if (!value->is_int64() || value->as_int64() < 0 || value->as_int64() > 525600)
        throw core::Error(core::errc::invalid_argument,
                          "field 'auto_stop_minutes' must be an integer from 0 to 525600");
    return static_cast<int>(value->as_int64());
}

apps::ProjectInput ReadProject(const json::value& body) {
    const auto& fields = RequireObject(body);
    OnlyFields(fields, {"name", "description"});
    return apps::ProjectInput{RequireString(fields, "name", 1024), OptionalString(fields, "description").value_or("")};
}

// A create or a full replace: every field not given takes its default.
apps::AppInput ReadApp(const json::value& body) {
    const auto& fields = RequireObject(body);
    OnlyFields(fields, {"name", "project_id", "server_id", "cd_path", "app_url", "auto_stop_minutes"});
    apps::AppInput in;
    in.name = RequireString(fields, "name", 1024);
    in.project_id = RequireString(fields, "project_id", 128);
    in.server_id = RequireString(fields, "server_id", 128);
    in.cd_path = RequireString(fields, "cd_path", 4096);
    in.app_url = OptionalString(fields, "app_url", 2048).value_or("");
    in.auto_stop_minutes = OptionalMinutes(fields).value_or(60);
    return in;
}

// The body as a whole resource: PUT gives it all; PATCH gives some fields, laid over `stored` (the resource's fields
// as a PUT takes them). Either way it is then read and checked as a replace.
json::value WholeBody(const http::RequestContext& context, json::object stored) {
    const auto& body = http::ParseJsonBody(context);
    if (context.request.method() != http::Verb::patch) return body;
    for (const auto& [key, value] : RequireObject(body))
        if (!value.is_null()) stored[key] = value;
    return stored;
}

json::object ReplaceFields(const apps::AppView& app) {
    return {{"name", app.name},       {"project_id", app.project_id}, {"server_id", app.server_id},
            {"cd_path", app.cd_path}, {"app_url", app.app_url},       {"auto_stop_minutes", app.auto_stop_minutes}};
}

void NoteApp(http::RequestContext& context, const apps::AppView& app) {
    context.audit.resource_id = app.id;
    context.audit.details = {
        {"name", app.name}, {"project_id", app.project_id}, {"server_id", app.server_id}, {"cd_path", app.cd_path}};
}

Response Accepted(http::RequestContext& context, const apps::AppRun& run) {
    context.audit.details = {{"task_id", run.task.id}, {"server_id", run.app.server_id}};
    if (const auto* minutes = run.task.params.if_contains("auto_stop_minutes"))
        context.audit.details["auto_stop_minutes"] = *minutes;
    auto response = http::Json(Status::accepted, {{"task_id", run.task.id}, {"app", AppJson(run.app)}});
    response.set(http::beast_http::field::location, "/api/v1/tasks/" + run.task.id);
    return response;
}

}  // namespace

boost::asio::awaitable<Response> AppHandlers::ListProjects(http::RequestContext& context) const {
    auto page = co_await apps.ListProjects(PageLimit(context), context.Query("cursor").value_or(""));
    co_return PageJson(page, ProjectJson);
}

boost::asio::awaitable<Response> AppHandlers::CreateProject(http::RequestContext& context) const {
    context.audit.action = "project.create";
    context.audit.resource_type = "project";
    auto project = co_await apps.CreateProject(ReadProject(http::ParseJsonBody(context)));
    context.audit.resource_id = project.id;
    context.audit.details = {{"name", project.name}};
    co_return http::Created(ProjectJson(project), "/api/v1/projects/" + project.id);
}

boost::asio::awaitable<Response> AppHandlers::GetProject(http::RequestContext& context) const {
    co_return http::Json(Status::ok, ProjectJson(co_await apps.GetProject(std::string(context.Param("id")))));
}

boost::asio::awaitable<Response> AppHandlers::ReplaceProject(http::RequestContext& context) const {
    context.audit.action = "project.update";
    context.audit.resource_type = "project";
    const std::string id(context.Param("id"));
    const auto stored = co_await apps.GetProject(id);
    const auto before = ProjectJson(stored);
    const auto body = WholeBody(context, {{"name", stored.name}, {"description", stored.description}});
    auto project = ProjectJson(co_await apps.UpdateProject(id, ReadProject(body)));
    context.audit.details = {{"changes", audit::Changes::Between(before, project).fields()}};
    co_return http::Json(Status::ok, project);
}

boost::asio::awaitable<Response> AppHandlers::DeleteProject(http::RequestContext& context) const {
    context.audit.action = "project.delete";
    context.audit.resource_type = "project";
    const auto apps_deleted = co_await apps.DeleteProject(std::string(context.Param("id")));
    context.audit.details = {{"apps_deleted", apps_deleted}};
    co_return NoContent();
}

boost::asio::awaitable<Response> AppHandlers::ListApps(http::RequestContext& context) const {
    apps::AppFilter filter;
    filter.project_id = FilterParam(context, "project_id");
    filter.server_id = FilterParam(context, "server_id");
    if (const auto status = ChoiceParam(context, "status", apps::kAppStates))
        filter.status = apps::ParseAppStatus(*status);
    auto page = co_await apps.ListApps(std::move(filter), PageLimit(context), context.Query("cursor").value_or(""));
    co_return PageJson(page, AppJson);
}

boost::asio::awaitable<Response> AppHandlers::CreateApp(http::RequestContext& context) const {
    context.audit.action = "app.create";
    context.audit.resource_type = "app";
    auto app = co_await apps.CreateApp(ReadApp(http::ParseJsonBody(context)));
    NoteApp(context, app);
    co_return http::Created(AppJson(app), "/api/v1/apps/" + app.id);
}

boost::asio::awaitable<Response> AppHandlers::GetApp(http::RequestContext& context) const {
    co_return http::Json(Status::ok, AppJson(co_await apps.GetApp(std::string(context.Param("id")))));
}

boost::asio::awaitable<Response> AppHandlers::ReplaceApp(http::RequestContext& context) const {
    context.audit.action = "app.update";
    context.audit.resource_type = "app";
    const std::string id(context.Param("id"));
    const auto stored = co_await apps.GetApp(id);
    const auto before = AppJson(stored);
    auto app = co_await apps.UpdateApp(id, ReadApp(WholeBody(context, ReplaceFields(stored))));
    NoteApp(context, app);
    const auto after = AppJson(app);
    context.audit.details["changes"] = audit::Changes::Between(before, after).fields();
    co_return http::Json(Status::ok, after);
}

boost::asio::awaitable<Response> AppHandlers::DeleteApp(http::RequestContext& context) const {
    context.audit.action = "app.delete";
    context.audit.resource_type = "app";
    co_await apps.DeleteApp(std::string(context.Param("id")));
    co_return NoContent();
}

boost::asio::awaitable<Response> AppHandlers::Start(http::RequestContext& context) const {
    context.audit.action = "app.start";
    context.audit.resource_type = "app";
    apps::StartRequest request;
    // The body is optional: no body at all means {}.
    if (!context.request.body().empty()) {
        const auto& body = http::ParseJsonBody(context);
        const auto& fields = RequireObject(body);
        OnlyFields(fields, {"auto_stop_minutes"});
        request.auto_stop_minutes = OptionalMinutes(fields);
    }
    request.app_id = std::string(context.Param("id"));
    request.creator = CreatorOf(context);
    auto run = co_await apps.Start(std::move(request));
    co_return Accepted(context, run);
}

boost::asio::awaitable<Response> AppHandlers::Stop(http::RequestContext& context) const {
    context.audit.action = "app.stop";
    context.audit.resource_type = "app";
    if (!context.request.body().empty()) OnlyFields(RequireObject(http::ParseJsonBody(context)), {});
    auto run = co_await apps.Stop(std::string(context.Param("id")), CreatorOf(context));
    co_return Accepted(context, run);
}

}  // namespace gatehouse::api
