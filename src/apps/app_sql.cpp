#include "apps/app_sql.hpp"

#include "core/errc.hpp"

namespace gatehouse::apps::sql {
namespace {

using store::Nullable;
using store::Text;
using store::Value;

constexpr std::string_view kProjectColumns = "id, name, description, created_at, updated_at";
constexpr std::string_view kAppColumns =
    "id, name, project_id, server_id, cd_path, app_url, auto_stop_minutes, status, started_at, auto_stop_at, "
    "auto_stop_epoch, last_task_id, created_at, updated_at, run_auto_stop_minutes";
// Either deadline column may say the time has come (an operator may have edited one of them).
constexpr std::string_view kDue =
    "status = 'running' AND ((auto_stop_epoch IS NOT NULL AND auto_stop_epoch <= ?) OR "
    "(auto_stop_at IS NOT NULL AND auto_stop_at <= ?))";

ProjectView ToProject(const store::Row& r) {
    return ProjectView{r.String(0), r.String(1), r.String(2), r.String(3), r.String(4)};
}

AppView ToApp(const store::Row& r) {
    AppView a;
    a.id = r.String(0);
    a.name = r.String(1);
    a.project_id = r.String(2);
    a.server_id = r.String(3);
    a.cd_path = r.String(4);
    a.app_url = r.String(5);
    a.auto_stop_minutes = static_cast<int>(r.Int(6));
    const auto status = ParseAppStatus(r.String(7));
    // The store only ever holds the names it was given: anything else is a bug, not input.
    if (!status) throw core::Error(core::errc::internal, "internal error", "unknown app status: " + r.String(7));
    a.status = *status;
    a.started_at = r.OptString(8);
    a.auto_stop_at = r.OptString(9);
    a.auto_stop_epoch = r.OptInt(10);
    a.last_task_id = r.OptString(11);
    a.created_at = r.String(12);
    a.updated_at = r.String(13);
    if (const auto minutes = r.OptInt(14)) a.run_auto_stop_minutes = static_cast<int>(*minutes);
    return a;
}

template <class T, class F>
std::vector<T> All(const store::ResultSet& result, F convert) {
    std::vector<T> items;
    for (const auto& row : result.rows) items.push_back(convert(row));
    return items;
}

Value Int(std::int64_t v) { return Value(v); }

}  // namespace

std::optional<ProjectView> FindProject(Connection& c, std::string_view id) {
    const auto r = c.Execute("SELECT " + std::string(kProjectColumns) + " FROM projects WHERE id = ?", {Text(id)});
    if (r.empty()) return std::nullopt;
    return ToProject(r.rows.front());
}

std::vector<ProjectView> ListProjects(Connection& c, std::string_view after_id, std::size_t limit) {
    return All<ProjectView>(
        c.Execute("SELECT " + std::string(kProjectColumns) + " FROM projects WHERE id > ? ORDER BY id LIMIT ?",
                  {Text(after_id), Int(static_cast<std::int64_t>(limit))}),
        ToProject);
}

void InsertProject(Connection& c, const ProjectView& p) {
    c.Execute("INSERT INTO projects (" + std::string(kProjectColumns) + ") VALUES (?, ?, ?, ?, ?)",
              {Text(p.id), Text(p.name), Text(p.description), Text(p.created_at), Text(p.updated_at)});
}

void UpdateProject(Connection& c, const ProjectView& p) {
    c.Execute("UPDATE projects SET name = ?, description = ?, updated_at = ? WHERE id = ?",
              {Text(p.name), Text(p.description), Text(p.updated_at), Text(p.id)});
}

std::int64_t DeleteProject(Connection& c, std::string_view id) {
    const auto apps = c.Execute("SELECT COUNT(*) FROM apps WHERE project_id = ?", {Text(id)}).rows.front().Int(0);
    c.Execute("DELETE FROM projects WHERE id = ?", {Text(id)});
    return apps;
}

std::optional<std::string> ServerIdOf(Connection& c, std::string_view id_or_name) {
    // An id wins over a name: a server named like another's id cannot take its place.
    for (const char* column : {"id", "name"}) {
        const auto r = c.Execute(std::string("SELECT id FROM servers WHERE ") + column + " = ?", {Text(id_or_name)});
        if (!r.empty()) return r.rows.front().String(0);
    }
    return std::nullopt;
}

std::optional<AppView> FindApp(Connection& c, std::string_view id) {
    const auto r = c.Execute("SELECT " + std::string(kAppColumns) + " FROM apps WHERE id = ?", {Text(id)});
    if (r.empty()) return std::nullopt;
    return ToApp(r.rows.front());
}

std::vector<AppView> ListApps(Connection& c, const AppFilter& filter, std::string_view after_id, std::size_t limit) {
    std::string query = "SELECT " + std::string(kAppColumns) + " FROM apps WHERE id > ?";
    std::vector<Value> params{Text(after_id)};
    if (filter.project_id) {
        query += " AND project_id = ?";
        params.push_back(Text(*filter.project_id));
    }
    if (filter.server_id) {
        query += " AND server_id = ?";
        params.push_back(Text(*filter.server_id));
    }
    if (filter.status) {
        query += " AND status = ?";
        params.push_back(Text(Name(*filter.status)));
    }
    query += " ORDER BY id LIMIT ?";
    params.push_back(Int(static_cast<std::int64_t>(limit)));
    return All<AppView>(c.Execute(query, params), ToApp);
}

void InsertApp(Connection& c, const AppView& a) {
    c.Execute(
        "INSERT INTO apps (" + std::string(kAppColumns) + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {Text(a.id), Text(a.name), Text(a.project_id), Text(a.server_id), Text(a.cd_path), Text(a.app_url),
         Int(a.auto_stop_minutes), Text(Name(a.status)), Nullable(a.started_at), Nullable(a.auto_stop_at),
         Nullable(a.auto_stop_epoch), Nullable(a.last_task_id), Text(a.created_at), Text(a.updated_at),
         Nullable(a.run_auto_stop_minutes)});
}

void UpdateApp(Connection& c, const AppView& a) {
    c.Execute(
        "UPDATE apps SET name = ?, project_id = ?, server_id = ?, cd_path = ?, app_url = ?, auto_stop_minutes = ?, "
        "updated_at = ? WHERE id = ?",
        {Text(a.name), Text(a.project_id), Text(a.server_id), Text(a.cd_path), Text(a.app_url),
         Int(a.auto_stop_minutes), Text(a.updated_at), Text(a.id)});
}

bool SetRunLimit(Connection& c, std::string_view id, std::string_view started_at, int minutes,
                 std::optional<std::string> at, std::optional<std::int64_t> epoch) {
    return c.Execute(
                "UPDATE apps SET run_auto_stop_minutes = ?, auto_stop_at = ?, auto_stop_epoch = ? WHERE id = ? AND "
                "status = 'running' AND started_at = ?",
                {Int(minutes), Nullable(at), Nullable(epoch), Text(id), Text(started_at)})
               .affected > 0;
}

void DeleteApp(Connection& c, std::string_view id) { c.Execute("DELETE FROM apps WHERE id = ?", {Text(id)}); }

bool SetStatus(Connection& c, std::string_view id, AppStatus from, AppStatus to) {
    return c.Execute("UPDATE apps SET status = ? WHERE id = ? AND status = ?",
                     {Text(Name(to)), Text(id), Text(Name(from))})
               .affected > 0;
}

void SetLastTask(Connection& c, std::string_view id, std::string_view task_id) {
    // Task ids are UUIDv7, ordered by time: a late write never replaces a newer run's task.
    c.Execute("UPDATE apps SET last_task_id = ? WHERE id = ? AND (last_task_id IS NULL OR last_task_id < ?)",
              {Text(task_id), Text(id), Text(task_id)});
}

bool EndRun(Connection& c, std::string_view id, const RunEnd& end) {
    // started_at: a new value, cleared, or kept (COALESCE with NULL keeps it).
    const std::string started = end.clear_started ? "NULL" : "COALESCE(?, started_at)";
    std::vector<Value> params{Text(Name(end.status)), Text(end.task_id)};
    if (!end.clear_started) params.push_back(Nullable(end.started_at));
    params.insert(params.end(), {Nullable(end.auto_stop_at), Nullable(end.auto_stop_epoch),
                                 Nullable(end.run_auto_stop_minutes), Text(id), Text(Name(end.from))});
    return c.Execute("UPDATE apps SET status = ?, last_task_id = ?, started_at = " + started +
                         ", auto_stop_at = ?, auto_stop_epoch = ?, run_auto_stop_minutes = ? WHERE id = ? AND "
                         "status = ?",
                     params)
               .affected > 0;
}

std::vector<AppView> DueForAutoStop(Connection& c, std::int64_t now_epoch, std::string_view now_text) {
    return All<AppView>(c.Execute("SELECT " + std::string(kAppColumns) + " FROM apps WHERE " + std::string(kDue) +
                                      " ORDER BY auto_stop_epoch, id LIMIT 1000",
                                  {Int(now_epoch), Text(now_text)}),
                        ToApp);
}

bool ClaimAutoStop(Connection& c, std::string_view id, std::int64_t now_epoch, std::string_view now_text) {
    return c.Execute("UPDATE apps SET status = 'stopping' WHERE id = ? AND " + std::string(kDue),
                     {Text(id), Int(now_epoch), Text(now_text)})
               .affected > 0;
}

std::vector<std::string> FailOrphaned(Connection& c) {
    const auto rows = c.Execute(
        "SELECT id FROM apps WHERE status IN ('starting', 'stopping') AND (last_task_id IS NULL OR NOT EXISTS "
        "(SELECT 1 FROM tasks WHERE tasks.id = apps.last_task_id AND tasks.state IN ('queued', 'running')))");
    std::vector<std::string> ids;
    for (const auto& row : rows.rows) {
        ids.push_back(row.String(0));
        c.Execute(
            "UPDATE apps SET status = 'failed', auto_stop_at = NULL, auto_stop_epoch = NULL, run_auto_stop_minutes = "
            "NULL WHERE id = ? AND "
            "status IN ('starting', 'stopping')",
            {Text(row.String(0))});
    }
    return ids;
}

}  // namespace gatehouse::apps::sql
