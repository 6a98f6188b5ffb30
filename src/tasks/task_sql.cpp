#include "tasks/task_sql.hpp"

#include <boost/json/parse.hpp>

#include "core/errc.hpp"
#include "core/json_text.hpp"
#include "store/where.hpp"

namespace gatehouse::tasks::sql {
namespace {

using store::Nullable;
using store::Text;
using store::Value;

constexpr std::string_view kTaskColumns =
    "id, kind, state, params, created_by, created_by_name, created_at, started_at, finished_at, timeout_s, "
    "concurrency, total, done, cancel_requested";
constexpr std::string_view kTargetColumns =
    "server_id, server_name, state, exit_code, started_at, finished_at, result, error";

Value Int(std::int64_t v) { return Value(v); }

std::optional<int> OptInt(const store::Row& r, std::size_t i) {
    const auto v = r.OptInt(i);
    return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
}

// The store only ever holds the names it was given: anything else is a bug, not input.
template <class E>
E StateOf(std::optional<E> state, const std::string& name) {
    if (!state) throw core::Error(core::errc::internal, "internal error", "unknown state in the store: " + name);
    return *state;
}

TaskView ToTask(const store::Row& r) {
    TaskView t;
    t.id = r.String(0);
    t.kind = r.String(1);
    t.state = StateOf(ParseTaskState(r.String(2)), r.String(2));
    boost::system::error_code ec;
    const auto params = boost::json::parse(r.String(3), ec);
    if (!ec && params.is_object()) t.params = params.as_object();
    t.created_by = r.OptString(4);
    t.created_by_name = r.OptString(5).value_or("");
    t.created_at = r.String(6);
    t.started_at = r.OptString(7);
    t.finished_at = r.OptString(8);
    t.timeout_s = static_cast<int>(r.Int(9));
    t.concurrency = static_cast<int>(r.Int(10));
    t.total = static_cast<int>(r.Int(11));
    t.done = static_cast<int>(r.Int(12));
    t.cancel_requested = r.Bool(13);
    return t;
}

TargetView ToTarget(const store::Row& r) {
    return TargetView{r.String(0),    r.String(1),    StateOf(ParseTargetState(r.String(2)), r.String(2)),
                      OptInt(r, 3),   r.OptString(4), r.OptString(5),
                      r.OptString(6), r.OptString(7)};
}

void LoadTargets(Connection& c, TaskView& task) {
    const auto rows =
        c.Execute("SELECT " + std::string(kTargetColumns) + " FROM task_targets WHERE task_id = ? ORDER BY position",
                  {Text(task.id)});
    for (const auto& row : rows.rows) task.targets.push_back(ToTarget(row));
}

}  // namespace

void InsertTask(Connection& c, const TaskView& t, std::string_view instance_id, std::int64_t heartbeat_epoch) {
    c.Execute("INSERT INTO tasks (" + std::string(kTaskColumns) +
                  ", instance_id, heartbeat_epoch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              {Text(t.id), Text(t.kind), Text(Name(t.state)), Text(core::JsonText(t.params)), Nullable(t.created_by),
               Text(t.created_by_name), Text(t.created_at), Nullable(t.started_at), Nullable(t.finished_at),
               Int(t.timeout_s), Int(t.concurrency), Int(t.total), Int(t.done), store::Bool(t.cancel_requested),
               Text(instance_id), Int(heartbeat_epoch)});
    std::int64_t position = 0;
    for (const auto& target : t.targets) {
        c.Execute(
            "INSERT INTO task_targets (task_id, position, " + std::string(kTargetColumns) +
                ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {Text(t.id), Int(position++), Text(target.server_id), Text(target.server_name), Text(Name(target.state)),
             Nullable(target.exit_code ? std::optional<std::int64_t>(*target.exit_code) : std::nullopt),
             Nullable(target.started_at), Nullable(target.finished_at), Nullable(target.result),
             Nullable(target.error)});
    }
}

std::optional<TaskView> FindTask(Connection& c, std::string_view id) {
    const auto r = c.Execute("SELECT " + std::string(kTaskColumns) + " FROM tasks WHERE id = ?", {Text(id)});
    if (r.empty()) return std::nullopt;
    TaskView task = ToTask(r.rows.front());
    LoadTargets(c, task);
    return task;
}

std::vector<TaskView> ListTasks(Connection& c, const TaskFilter& filter, std::string_view before_id,
                                std::size_t limit) {
    store::Where where;
    if (!before_id.empty()) where.Add("id < ?", {Text(before_id)});
    if (filter.state) where.Add("state = ?", {Text(Name(*filter.state))});
    if (filter.kind) where.Add("kind = ?", {Text(*filter.kind)});
    if (filter.created_by)
        where.Add("(created_by = ? OR created_by_name = ?)", {Text(*filter.created_by), Text(*filter.created_by)});
    if (filter.server_id) {
        // By id, or by name: the name the target had when the task ran, or the server's name now.
        const auto server = Text(*filter.server_id);
        where.Add(
            "id IN (SELECT task_id FROM task_targets WHERE server_id = ? OR server_name = ? OR server_id IN "
            "(SELECT id FROM servers WHERE name = ?))",
            {server, server, server});
    }
    where.params.push_back(Int(static_cast<std::int64_t>(limit)));
    const std::string query =
        "SELECT " + std::string(kTaskColumns) + " FROM tasks" + where.sql + " ORDER BY id DESC LIMIT ?";
    std::vector<TaskView> tasks;
    for (const auto& row : c.Execute(query, where.params).rows) tasks.push_back(ToTask(row));
    for (auto& task : tasks) LoadTargets(c, task);
    return tasks;
}

void UpdateTask(Connection& c, const TaskView& t) {
    c.Execute("UPDATE tasks SET state = ?, started_at = ?, finished_at = ?, done = ? WHERE id = ?",
              {Text(Name(t.state)), Nullable(t.started_at), Nullable(t.finished_at), Int(t.done), Text(t.id)});
}

void UpdateTarget(Connection& c, std::string_view task_id, const TargetView& t) {
    c.Execute(
        "UPDATE task_targets SET state = ?, exit_code = ?, started_at = ?, finished_at = ?, result = ?, error = ? "
        "WHERE task_id = ? AND server_id = ?",
        {Text(Name(t.state)), Nullable(t.exit_code ? std::optional<std::int64_t>(*t.exit_code) : std::nullopt),
         Nullable(t.started_at), Nullable(t.finished_at), Nullable(t.result), Nullable(t.error), Text(task_id),
         Text(t.server_id)});
}

void RequestCancel(Connection& c, std::string_view task_id) {
    c.Execute("UPDATE tasks SET cancel_requested = 1 WHERE id = ?", {Text(task_id)});
}

bool CancelRequested(Connection& c, std::string_view task_id) {
    const auto row = c.Execute("SELECT cancel_requested FROM tasks WHERE id = ?", {Text(task_id)});
    return !row.empty() && row.rows.front().Bool(0);
}

void InsertChunks(Connection& c, std::string_view task_id, const std::vector<Chunk>& chunks) {
    for (const auto& chunk : chunks) {
        c.Execute("INSERT INTO task_output (task_id, seq, server_id, stream, ts, data) VALUES (?, ?, ?, ?, ?, ?)",
                  {Text(task_id), Int(chunk.seq), Text(chunk.server_id), Int(chunk.stream), Text(chunk.time),
                   Value(store::Blob{chunk.data})});
    }
}

std::vector<Chunk> ReadChunks(Connection& c, std::string_view task_id, const std::optional<std::string>& server_id,
                              std::int64_t after_seq, std::size_t limit) {
    std::string query = "SELECT seq, server_id, stream, ts, data FROM task_output WHERE task_id = ? AND seq > ?";
    std::vector<Value> params{Text(task_id), Int(after_seq)};
    if (server_id) {
        query += " AND server_id = ?";
        params.push_back(Text(*server_id));
    }
    query += " ORDER BY seq LIMIT ?";
    params.push_back(Int(static_cast<std::int64_t>(limit)));
    std::vector<Chunk> chunks;
    for (const auto& r : c.Execute(query, params).rows)
        chunks.push_back(Chunk{r.Int(0), r.String(1), static_cast<int>(r.Int(2)), r.String(3), r.Bytes(4)});
    return chunks;
}

std::vector<std::string> MarkInterrupted(Connection& c, std::string_view instance_id, std::int64_t stale_epoch,
                                         std::string_view now) {
    const auto rows = c.Execute(
        "SELECT id FROM tasks WHERE state IN ('queued', 'running') AND (instance_id = ? OR heartbeat_epoch IS NULL "
        "OR heartbeat_epoch < ?)",
        {Text(instance_id), Int(stale_epoch)});
    std::vector<std::string> ids;
    for (const auto& row : rows.rows) {
        const std::string id = row.String(0);
        c.Execute(
            "UPDATE task_targets SET state = 'interrupted', finished_at = ?, "
            "error = COALESCE(error, CASE state WHEN 'queued' THEN 'the server stopped before this target started' "
            "ELSE 'the server stopped while this target ran' END) "
            "WHERE task_id = ? AND state IN ('queued', 'running')",
            {Text(now), Text(id)});
        c.Execute(
            "UPDATE tasks SET state = 'interrupted', finished_at = ?, "
            "done = (SELECT COUNT(*) FROM task_targets WHERE task_id = ?) WHERE id = ? AND state IN ('queued', "
            "'running')",
            {Text(now), Text(id), Text(id)});
        ids.push_back(id);
    }
    return ids;
}

void FailUnfinished(Connection& c, std::string_view task_id, std::string_view now, std::string_view error) {
    c.Execute(
        "UPDATE task_targets SET state = 'failed', finished_at = ?, error = COALESCE(error, ?) "
        "WHERE task_id = ? AND state IN ('queued', 'running')",
        {Text(now), Text(error), Text(task_id)});
    c.Execute(
        "UPDATE tasks SET state = 'failed', finished_at = ?, done = (SELECT COUNT(*) FROM task_targets WHERE task_id "
        "= ?) WHERE id = ? AND state IN ('queued', 'running')",
        {Text(now), Text(task_id), Text(task_id)});
}

void Heartbeat(Connection& c, std::string_view instance_id, std::int64_t epoch) {
    c.Execute("UPDATE tasks SET heartbeat_epoch = ? WHERE instance_id = ? AND state IN ('queued', 'running')",
              {Int(epoch), Text(instance_id)});
}

}  // namespace gatehouse::tasks::sql
