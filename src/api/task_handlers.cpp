#include "api/task_handlers.hpp"

#include <boost/json/array.hpp>

#include "api/gatekeeper.hpp"
#include "api/json_fields.hpp"
#include "api/task_json.hpp"
#include "core/errc.hpp"
#include "http/json_body.hpp"
#include "http/problem.hpp"

namespace gatehouse::api {

using http::Response;
using http::Status;
namespace json = boost::json;

namespace {

core::Error Invalid(std::string detail) { return core::Error(core::errc::invalid_argument, std::move(detail)); }

std::vector<std::string> StringArray(const json::value& value, std::string_view field, std::size_t max_items) {
    if (!value.is_array()) throw Invalid("field '" + std::string(field) + "' must be an array of strings");
    const auto& array = value.as_array();
    if (array.size() > max_items)
        throw Invalid("field '" + std::string(field) + "' has more than " + std::to_string(max_items) + " items");
    std::vector<std::string> items;
    for (const auto& item : array) {
        if (!item.is_string() || item.as_string().empty() || item.as_string().size() > 256)
            throw Invalid("field '" + std::string(field) + "' must be an array of non-empty strings");
        items.emplace_back(item.as_string());
    }
    return items;
}

int BoundedInt(const json::object& body, std::string_view field, int fallback, int low, int high) {
    const auto* value = body.if_contains(field);
    if (!value || value->is_null()) return fallback;
    if (!value->is_int64() || value->as_int64() < low || value->as_int64() > high)
        throw Invalid("field '" + std::string(field) + "' must be an integer from " + std::to_string(low) + " to " +
                      std::to_string(high));
    return static_cast<int>(value->as_int64());
}

Response Accepted(const tasks::TaskView& task) {
    auto response = http::Json(Status::accepted, TaskJson(task));
    response.set(http::beast_http::field::location, "/api/v1/tasks/" + task.id);
    return response;
}

void NoteTask(http::RequestContext& context, const tasks::TaskView& task) {
    context.audit.resource_type = "task";
    context.audit.resource_id = task.id;
    json::array servers;
    for (const auto& target : task.targets) servers.emplace_back(target.server_id);
    context.audit.details = {{"kind", task.kind}, {"targets", std::move(servers)}};
    for (const auto& [key, value] : task.params) context.audit.details[key] = value;
}

// A raw download is read and sent in pieces of this size, so a big log never sits in memory whole.
constexpr std::size_t kRawPageChunks = 5000;
constexpr std::size_t kRawPageBytes = std::size_t{1} << 20;

/// Where a raw download is; shared by the handler and the body source it leaves behind.
struct RawDownload {
    tasks::TaskService& tasks;
    std::string id;
    std::string target;
    std::int64_t after = 0;
    std::optional<std::string> first;  // read by the handler, so an unknown task or target is a 404 in time
};

std::string Concat(const std::vector<tasks::Chunk>& chunks) {
    std::string bytes;
    for (const auto& chunk : chunks) bytes += chunk.data;
    return bytes;
}

boost::asio::awaitable<std::optional<std::string>> NextRawPiece(std::shared_ptr<RawDownload> download) {
    if (download->first) {
        std::optional<std::string> piece = std::move(download->first);
        download->first.reset();
        co_return piece;
    }
    auto chunks =
        co_await download->tasks.Output(download->id, download->target, download->after, kRawPageChunks, kRawPageBytes);
    if (chunks.empty()) co_return std::nullopt;
    download->after = chunks.back().seq;
    co_return Concat(chunks);
}

std::int64_t SinceSeq(const http::RequestContext& context) {
    return IntParam(context, "since_seq", 0, INT64_MAX).value_or(0);
}

}  // namespace

tasks::Creator CreatorOf(const http::RequestContext& context) {
    const auto* caller = MaybeCaller(context);
    if (!caller) return {};
    return tasks::Creator{caller->user_id, caller->username};
}

void ReadTargets(const json::object& body, tasks::TaskRequest& request) {
    if (const auto* targets = body.if_contains("targets"); targets && !targets->is_null())
        request.server_ids = StringArray(*targets, "targets", 10000);
    if (const auto* selector = body.if_contains("selector"); selector && !selector->is_null()) {
        if (!selector->is_object()) throw Invalid("field 'selector' must be an object {tags: [...]}");
        const auto& fields = selector->as_object();
        OnlyFields(fields, {"tags"});
        const auto* tags = fields.if_contains("tags");
        if (!tags) throw Invalid("field 'selector.tags' is required");
        request.selector_tags = StringArray(*tags, "selector.tags", 64);
        if (request.selector_tags.empty()) throw Invalid("field 'selector.tags' must name at least one tag");
        request.has_selector = true;
    }
    if (request.server_ids.empty() && !request.has_selector)
        throw Invalid("field 'targets' must name at least one server (or give a selector)");
    request.timeout_s = BoundedInt(body, "timeout_s", request.timeout_s, 1, 86400);
    request.concurrency = BoundedInt(body, "concurrency", request.concurrency, 1, 1000);
}

boost::asio::awaitable<Response> TaskHandlers::Create(http::RequestContext& context) const {
    context.audit.action = "task.create";
    const auto& body = http::ParseJsonBody(context);
    const auto& fields = RequireObject(body);
    OnlyFields(fields, {"targets", "selector", "kind", "command", "timeout_s", "concurrency"});
    const std::string kind = OptionalString(fields, "kind", 32).value_or("exec");
    if (kind != "exec")
        throw Invalid("kind must be 'exec' (keys are deployed through /ssh-keys/{id}/deploy, apps through /apps)");
    tasks::TaskRequest request;
    request.kind = kind;
    request.command = RequireString(fields, "command", 65536);
    ReadTargets(fields, request);
    request.params = {{"command", request.command}};
    request.creator = CreatorOf(context);
    auto task = co_await tasks.Submit(std::move(request));
    NoteTask(context, task);
    co_return Accepted(task);
}

boost::asio::awaitable<Response> TaskHandlers::List(http::RequestContext& context) const {
    tasks::TaskFilter filter;
    if (const auto state = ChoiceParam(context, "state", tasks::kTaskStates))
        filter.state = tasks::ParseTaskState(*state);
    filter.kind = ChoiceParam(context, "kind", tasks::kKinds);
    filter.server_id = FilterParam(context, "server");
    if (!filter.server_id) filter.server_id = FilterParam(context, "server_id");
    filter.created_by = FilterParam(context, "creator");
    if (!filter.created_by) filter.created_by = FilterParam(context, "created_by");
    auto page = co_await tasks.List(filter, PageLimit(context), context.Query("cursor").value_or(""));
    json::array items;
    for (const auto& task : page.items) items.push_back(TaskJson(task));
    co_return http::Json(Status::ok,
                         {{"items", std::move(items)},
                          {"next_cursor", page.next_cursor ? json::value(*page.next_cursor) : json::value(nullptr)}});
}

boost::asio::awaitable<Response> TaskHandlers::Get(http::RequestContext& context) const {
    co_return http::Json(Status::ok, TaskJson(co_await tasks.Get(std::string(context.Param("id")))));
}

boost::asio::awaitable<Response> TaskHandlers::Output(http::RequestContext& context) const {
    const std::string id(context.Param("id"));
    const auto target = context.Query("target");
    if (target && target->empty()) throw Invalid("target must be a server id");
    std::int64_t after = SinceSeq(context);
    const auto format = context.Query("format").value_or("json");
    if (format == "raw") {
        if (!target) throw Invalid("format=raw needs one target (?target=<server id>)");
        auto chunks = co_await tasks.Output(id, target, after, kRawPageChunks, kRawPageBytes);
        Response response{Status::ok, 11};
        response.set(http::beast_http::field::content_type, "application/octet-stream");
        response.set(http::beast_http::field::content_disposition,
                     "attachment; filename=\"task-" + id + "-" + *target + ".log\"");
        // Output stops short of a page only at its end: then it is one answer with a length.
        std::string bytes = Concat(chunks);
        if (chunks.size() < kRawPageChunks && bytes.size() < kRawPageBytes) {
            response.body() = std::move(bytes);
            response.prepare_payload();
            co_return response;
        }
        auto download =
            std::make_shared<RawDownload>(RawDownload{tasks, id, *target, chunks.back().seq, std::move(bytes)});
        context.body_source = [download] { return NextRawPiece(download); };
        co_return response;
    }
    if (format != "json") throw Invalid("format must be json or raw");
    std::size_t limit = 1000;
    if (const auto text = context.Query("limit")) {
        if (text->empty() || text->size() > 5 || text->find_first_not_of("0123456789") != std::string::npos ||
            std::stoul(*text) < 1 || std::stoul(*text) > 10000)
            throw Invalid("limit must be an integer from 1 to 10000");
        limit = std::stoul(*text);
    }
    auto chunks = co_await tasks.Output(id, target, after, limit);
    json::array items;
    for (const auto& chunk : chunks) items.push_back(ChunkJson(chunk));
    const std::int64_t next = chunks.empty() ? after : chunks.back().seq;
    co_return http::Json(Status::ok, {{"items", std::move(items)}, {"next_since_seq", next}});
}

boost::asio::awaitable<Response> TaskHandlers::Cancel(http::RequestContext& context) const {
    context.audit.action = "task.cancel";
    context.audit.resource_type = "task";
    auto task = co_await tasks.Cancel(std::string(context.Param("id")));
    co_return http::Json(Status::accepted, TaskJson(task));
}

namespace {

boost::asio::awaitable<Response> EditKey(tasks::TaskService& tasks, http::RequestContext& context, bool deploy) {
    context.audit.action = deploy ? "ssh_key.deploy" : "ssh_key.revoke";
    const auto& body = http::ParseJsonBody(context);
    const auto& fields = RequireObject(body);
    if (deploy)
        OnlyFields(fields, {"targets", "selector", "timeout_s", "concurrency"});
    else
        OnlyFields(fields, {"targets", "selector", "timeout_s", "concurrency", "force"});
    tasks::TaskRequest request;
    request.timeout_s = 60;
    ReadTargets(fields, request);
    request.creator = CreatorOf(context);
    const bool force = OptionalBool(fields, "force").value_or(false);
    auto task = co_await tasks.EditKey(std::string(context.Param("id")), deploy, std::move(request), force);
    NoteTask(context, task);
    context.audit.resource_type = "ssh_key";
    context.audit.resource_id = std::string(context.Param("id"));
    context.audit.details["task_id"] = task.id;
    co_return Accepted(task);
}

}  // namespace

boost::asio::awaitable<Response> TaskHandlers::DeployKey(http::RequestContext& context) const {
    co_return co_await EditKey(tasks, context, true);
}

boost::asio::awaitable<Response> TaskHandlers::RevokeKey(http::RequestContext& context) const {
    co_return co_await EditKey(tasks, context, false);
}

}  // namespace gatehouse::api
