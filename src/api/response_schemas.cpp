// The JSON Schemas of every response body, by the component name a route's declaration names (RouteOptions::
// response). Every field a response carries is listed and required (an absent value is null, never missing), and
// no other field is allowed: tests/e2e checks each response it receives against these.
#include "api/response_schemas.hpp"

#include <algorithm>
#include <initializer_list>
#include <span>
#include <string_view>
#include <utility>

#include "apps/app_types.hpp"
#include "auth/principal.hpp"
#include "fleet/fleet_types.hpp"
#include "tasks/task_types.hpp"

namespace gatehouse::api {
namespace {

namespace json = boost::json;

json::object Typed(std::string_view type, std::string_view description) {
    json::object s{{"type", type}};
    if (!description.empty()) s["description"] = description;
    return s;
}
json::object Str(std::string_view description = {}) { return Typed("string", description); }
json::object Int(std::string_view description = {}) { return Typed("integer", description); }
json::object Num(std::string_view description = {}) { return Typed("number", description); }
json::object Bool(std::string_view description = {}) { return Typed("boolean", description); }
json::object Time(std::string_view description = {}) {
    auto s = Str(description);
    s["format"] = "date-time";
    return s;
}
json::object Enum(std::span<const std::string_view> values, std::string_view description = {}) {
    json::array choices;
    for (const auto v : values) choices.emplace_back(v);
    auto s = Str(description);
    s["enum"] = std::move(choices);
    return s;
}
json::object Ref(std::string_view name) { return {{"$ref", "#/components/schemas/" + std::string(name)}}; }
json::object ArrayOf(json::object items) { return {{"type", "array"}, {"items", std::move(items)}}; }

/// The same schema, or null.
json::object OrNull(json::object schema) {
    if (schema.contains("$ref")) return {{"oneOf", json::array{std::move(schema), json::object{{"type", "null"}}}}};
    json::value& type = schema["type"];
    type = json::array{type, "null"};
    if (auto* choices = schema.if_contains("enum")) choices->as_array().emplace_back(nullptr);
    return schema;
}

/// An object with exactly `fields`, each required unless named in `optional`.
json::object Obj(std::initializer_list<std::pair<std::string_view, json::object>> fields,
                 std::string_view description = {}, std::initializer_list<std::string_view> optional = {}) {
    json::object properties;
    json::array required;
    for (const auto& [name, schema] : fields) {
        properties[name] = schema;
        if (std::find(optional.begin(), optional.end(), name) == optional.end()) required.emplace_back(name);
    }
    json::object s{{"type", "object"},
                   {"properties", std::move(properties)},
                   {"required", std::move(required)},
                   {"additionalProperties", false}};
    if (!description.empty()) s["description"] = description;
    return s;
}

/// A cursor page of `item`.
json::object Page(std::string_view item) {
    return Obj({{"items", ArrayOf(Ref(item))},
                {"next_cursor", OrNull(Str("Pass as ?cursor= for the next page; null on the last page"))}});
}

json::object UserFields(bool with_auth) {
    auto user = Obj({{"id", Str()},
                     {"username", Str()},
                     {"role", Enum(auth::kRoleNames, "For /users/me and /auth/verify: the caller's effective role")},
                     {"disabled", Bool()},
                     {"created_at", Time()}});
    if (with_auth) {
        user["properties"].as_object()["auth"] =
            Enum(std::initializer_list<std::string_view>{"access_token", "api_token"}, "How the caller authenticated");
        user["required"].as_array().emplace_back("auth");
    }
    return user;
}

json::object ServerSchema() {
    return Obj({{"id", Str()},
                {"name", Str()},
                {"address", Str()},
                {"ssh_port", Int()},
                {"ssh_user", Str()},
                {"auth_method", Enum(std::initializer_list<std::string_view>{"password", "key"})},
                {"has_password", Bool("A password is stored (never shown)")},
                {"ssh_key_id", OrNull(Str())},
                {"host_key_fingerprint", OrNull(Str("Pinned host key, SHA256:..."))},
                {"pending_host_key_fingerprint", OrNull(Str("A different key the server presented, for an admin"))},
                {"credentials_locked", Bool("Stored credentials are not sent until an admin accepts the host key")},
                {"tags", ArrayOf(Str())},
                {"description", Str()},
                {"postgres", OrNull(Obj({{"port", Int()},
                                         {"user", Str()},
                                         {"database", Str()},
                                         {"pool_class", Str()},
                                         {"has_password", Bool()},
                                         {"password_locked", Bool()}}))},
                {"status", Enum(fleet::kServerStatuses)},
                {"last_checked", OrNull(Time())},
                {"created_at", Time()},
                {"updated_at", Time()}});
}

json::object TaskSchema() {
    return Obj({{"id", Str()},
                {"kind", Enum(tasks::kKinds)},
                {"state", Enum(tasks::kTaskStates)},
                {"params", json::object{{"type", "object"}, {"description", "What the task was asked to do"}}},
                {"command", Str("exec: the command")},
                {"created_by", OrNull(Str())},
                {"created_by_name", Str()},
                {"created_at", Time()},
                {"started_at", OrNull(Time())},
                {"finished_at", OrNull(Time())},
                {"timeout_s", Int()},
                {"concurrency", Int()},
                {"cancel_requested", Bool()},
                {"progress", Obj({{"done", Int()}, {"total", Int()}})},
                {"targets", ArrayOf(Ref("TaskTarget"))}},
               {}, {"command"});
}

json::object AppSchema() {
    return Obj({{"id", Str()},
                {"name", Str()},
                {"project_id", Str()},
                {"server_id", Str()},
                {"cd_path", Str()},
                {"app_url", Str()},
                {"auto_stop_minutes", Int("0: never stopped automatically")},
                {"status", Enum(apps::kAppStates)},
                {"started_at", OrNull(Time())},
                {"auto_stop_at", OrNull(Time())},
                {"last_task_id", OrNull(Str())},
                {"created_at", Time()},
                {"updated_at", Time()}});
}

}  // namespace

json::object ResponseSchemas() {
    const auto error_kind = OrNull(Str("Why it failed: dns, refused, timeout, auth_failed, host_key_mismatch, ..."));
    return {
        {"Health", Obj({{"status", Str()}, {"version", Str()}})},
        {"Ready", Obj({{"status", Str()}, {"schema_version", Int()}})},
        {"Echo", Obj({{"received", json::object{{"description", "The request body as parsed"}}}})},
        {"Session", Obj({{"access_token", Str("JWT for Authorization: Bearer")},
                         {"token_type", Enum(std::initializer_list<std::string_view>{"bearer"})},
                         {"expires_in", Int("Seconds the access token lives")},
                         {"user", Obj({{"id", Str()}, {"username", Str()}, {"role", Enum(auth::kRoleNames)}})}},
                        "A new session; the refresh token is in the HttpOnly cookie")},
        {"OAuthError", Obj({{"error", Enum(std::initializer_list<std::string_view>{
                                          "invalid_request", "unsupported_grant_type", "invalid_grant"})},
                            {"error_description", Str()}},
                           "RFC 6749 section 5.2")},
        {"User", UserFields(false)},
        {"Caller", UserFields(true)},
        {"UserPage", Page("User")},
        {"ApiToken", Obj({{"id", Str()},
                          {"name", Str()},
                          {"role", Enum(auth::kRoleNames)},
                          {"effective_role", OrNull(Enum(auth::kRoleNames, "The role capped by its user's"))},
                          {"prefix", Str("The start of the token, to recognise it")},
                          {"user_id", Str()},
                          {"created_at", Time()},
                          {"expires_at", OrNull(Time())},
                          {"last_used_at", OrNull(Time())},
                          {"token", Str("The secret, in the creation's answer only")}},
                         {}, {"token"})},
        {"ApiTokenPage", Page("ApiToken")},
        {"AuditEvent", Obj({{"id", Str()},
                            {"time", Time()},
                            {"actor", Obj({{"kind", Str()}, {"id", OrNull(Str())}, {"name", OrNull(Str())}})},
                            {"source_ip", OrNull(Str())},
                            {"user_agent", OrNull(Str())},
                            {"action", Str()},
                            {"resource", Obj({{"type", OrNull(Str())}, {"id", OrNull(Str())}})},
                            {"outcome", Str()},
                            {"status", OrNull(Int("HTTP status of the request"))},
                            {"request_id", OrNull(Str())},
                            {"details", json::object{{"type", "object"}}}})},
        {"AuditEventPage", Page("AuditEvent")},
        {"AuditStats",
         Obj({{"items", ArrayOf(Obj({{"day", Str()}, {"action", Str()}, {"outcome", Str()}, {"count", Int()}}))}})},
        {"Server", ServerSchema()},
        {"ServerPage", Page("Server")},
        {"SshTest", Obj({{"ok", Bool()},
                         {"latency_ms", Num()},
                         {"handshake_ms", Num()},
                         {"login_ms", Num()},
                         {"host_key_fingerprint", OrNull(Str())},
                         {"auth_method", Str()},
                         {"error_kind", error_kind},
                         {"error", OrNull(Str())}})},
        {"ServerStatus", Obj({{"status", Enum(fleet::kServerStatuses)},
                              {"error_kind", error_kind},
                              {"error", OrNull(Str())},
                              {"uptime_seconds", OrNull(Num())},
                              {"load_average", OrNull(ArrayOf(Num()))},
                              {"running_containers", OrNull(Int())},
                              {"last_checked", OrNull(Time())}})},
        {"ServerDisk", Obj({{"status", Enum(fleet::kServerStatuses)},
                            {"error_kind", error_kind},
                            {"error", OrNull(Str())},
                            {"filesystems", ArrayOf(Obj({{"filesystem", Str()},
                                                         {"mount", Str()},
                                                         {"size_bytes", Int()},
                                                         {"used_bytes", Int()},
                                                         {"available_bytes", Int()}}))},
                            {"last_checked", Time()}})},
        {"HostKeyAccepted", Obj({{"old_fingerprint", OrNull(Str())}, {"new_fingerprint", Str()}})},
        {"SshKey", Obj({{"id", Str()},
                        {"name", Str()},
                        {"type", Enum(std::initializer_list<std::string_view>{"ed25519", "rsa", "ecdsa"})},
                        {"bits", Int()},
                        {"fingerprint", Str()},
                        {"comment", Str()},
                        {"public_key", Str("The authorized_keys line")},
                        {"has_private_key", Bool()},
                        {"created_at", Time()},
                        {"updated_at", Time()}})},
        {"SshKeyPage", Page("SshKey")},
        {"TaskTarget", Obj({{"server_id", Str()},
                            {"server_name", Str()},
                            {"state", Enum(tasks::kTargetStates)},
                            {"exit_code", OrNull(Int())},
                            {"started_at", OrNull(Time("When its command started on the server"))},
                            {"finished_at", OrNull(Time())},
                            {"result", OrNull(Str("deploy_key/revoke_key: added, already_present, removed, absent"))},
                            {"error", OrNull(Str())}})},
        {"Task", TaskSchema()},
        {"TaskPage", Page("Task")},
        {"TaskOutput",
         Obj({{"items", ArrayOf(Obj({{"target", Str()},
                                     {"stream", Enum(std::initializer_list<std::string_view>{"stdout", "stderr"})},
                                     {"seq", Int()},
                                     {"time", Time()},
                                     {"data", Str()},
                                     {"encoding", Enum(std::initializer_list<std::string_view>{"utf8", "base64"})}}))},
              {"next_since_seq", Int("Pass as ?since_seq= for what follows")}})},
        {"Project",
         Obj({{"id", Str()}, {"name", Str()}, {"description", Str()}, {"created_at", Time()}, {"updated_at", Time()}})},
        {"ProjectPage", Page("Project")},
        {"App", AppSchema()},
        {"AppPage", Page("App")},
        {"AppRun", Obj({{"task_id", Str("The compose task")}, {"app", Ref("App")}})},
    };
}

}  // namespace gatehouse::api
