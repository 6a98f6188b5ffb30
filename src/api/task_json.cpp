#include "api/task_json.hpp"

#include <boost/json/array.hpp>

#include "api/json_fields.hpp"
#include "core/base64.hpp"
#include "core/text.hpp"

namespace gatehouse::api {

namespace json = boost::json;

json::object TargetJson(const tasks::TargetView& t) {
    return {{"server_id", t.server_id},
            {"server_name", t.server_name},
            {"state", tasks::Name(t.state)},
            {"exit_code", t.exit_code ? json::value(*t.exit_code) : json::value(nullptr)},
            {"started_at", OptionalJson(t.started_at)},
            {"finished_at", OptionalJson(t.finished_at)},
            {"result", OptionalJson(t.result)},
            {"error", OptionalJson(t.error)}};
}

json::object TaskJson(const tasks::TaskView& t) {
    json::array targets;
    for (const auto& target : t.targets) targets.push_back(TargetJson(target));
    json::object task{{"id", t.id},
                      {"kind", t.kind},
                      {"state", tasks::Name(t.state)},
                      {"params", t.params},
                      {"created_by", OptionalJson(t.created_by)},
                      {"created_by_name", t.created_by_name},
                      {"created_at", t.created_at},
                      {"started_at", OptionalJson(t.started_at)},
                      {"finished_at", OptionalJson(t.finished_at)},
                      {"timeout_s", t.timeout_s},
                      {"concurrency", t.concurrency},
                      {"cancel_requested", t.cancel_requested},
                      {"progress", json::object{{"done", t.done}, {"total", t.total}}},
                      {"targets", std::move(targets)}};
    if (const auto* command = t.params.if_contains("command")) task["command"] = *command;
    return task;
}

json::object ChunkJson(const tasks::Chunk& c) {
    const bool text = core::IsValidUtf8(c.data);
    return {{"target", c.server_id},
            {"stream", c.stream == 2 ? "stderr" : "stdout"},
            {"seq", c.seq},
            {"time", c.time},
            {"data", text ? c.data : core::Base64Encode(c.data)},
            {"encoding", text ? "utf8" : "base64"}};
}

}  // namespace gatehouse::api
