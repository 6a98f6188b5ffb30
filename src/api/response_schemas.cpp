// The JSON Schemas of every response body, by the component name a route's declaration names (RouteOptions::
// response). Every field a response carries is listed and required (an absent value is null, never missing), and
// no other field is allowed: tests/e2e checks each response it receives against these.
#include "api/response_schemas.hpp"

#include <algorithm>
#include <initializer_list>
#include <span>
#include <string_view>
#include <utility>

#include "api/schema_builders.hpp"
#include "apps/app_types.hpp"
#include "auth/principal.hpp"
#include "fleet/fleet_types.hpp"
#include "pgmon/monitor_service.hpp"
#include "tasks/task_types.hpp"

namespace gatehouse::api {
namespace {

namespace json = boost::json;
using namespace schema;

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
                {"postgres", OrNull(Obj({{"host", OrNull(Str("null: the server's address"))},
                                         {"port", Int()},
                                         {"sslmode", Enum(fleet::kSslModes)},
                                         {"via_ssh", Bool()},
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

json::object PostgresActivitySchema() {
    const auto time = OrNull(Time());
    const auto ms = OrNull(Num());
    return Obj(
        {{"collected_at", Time("When PostgreSQL was asked (a cached snapshot keeps its time)")},
         {"server_id", Str()},
         {"max_connections", Int()},
         {"counts", Obj({{"total", Int()},
                         {"active", Int()},
                         {"idle", Int()},
                         {"idle_in_transaction", Int()},
                         {"idle_in_transaction_aborted", Int()},
                         {"waiting", Int("Active sessions waiting on an event")},
                         {"blocked", Int("Sessions blocked by another's lock")}},
                        "Over every session the answer may show (before the state, database and duration filters)")},
         {"longest", Obj({{"query_ms", Num("Longest running active query")}, {"xact_ms", Num("Oldest transaction")}})},
         {"sessions", ArrayOf(Obj({{"pid", Int()},
                                   {"user", OrNull(Str())},
                                   {"database", OrNull(Str())},
                                   {"application", Str()},
                                   {"client_addr", OrNull(Str())},
                                   {"state", OrNull(Enum(pgmon::kSessionStates))},
                                   {"wait_event_type", OrNull(Str())},
                                   {"wait_event", OrNull(Str())},
                                   {"backend_type", Str()},
                                   {"query", OrNull(Str("Truncated to postgres.query_text_max characters"))},
                                   {"query_start", time},
                                   {"xact_start", time},
                                   {"backend_start", time},
                                   {"state_change", time},
                                   {"duration_ms", OrNull(Num("Active: of its query; otherwise: in its state"))},
                                   {"xact_duration_ms", ms},
                                   {"blocked_by", ArrayOf(Int("pid of a session holding the lock it waits for"))}}))}});
}

json::object PostgresStatsSchema() {
    const auto count = Int();
    return Obj(
        {{"collected_at", Time()},
         {"server_id", Str()},
         {"version", Str()},
         {"server_version_num", Int()},
         {"started_at", OrNull(Time())},
         {"uptime_s", OrNull(Num())},
         {"connections", Obj({{"used", Int()}, {"max", Int()}, {"reserved", Int("superuser_reserved_connections")}})},
         {"sizes_collected_at", OrNull(Time("When the databases' size_bytes were read (postgres.size_interval_s)"))},
         {"databases", ArrayOf(Obj({{"name", Str()},
                                    {"oid", Int()},
                                    {"size_bytes", Int("As of sizes_collected_at")},
                                    {"numbackends", Int()},
                                    {"xact_commit", count},
                                    {"xact_rollback", count},
                                    {"blks_read", count},
                                    {"blks_hit", count},
                                    {"cache_hit_ratio", OrNull(Num("blks_hit / (blks_hit + blks_read)"))},
                                    {"tup_returned", count},
                                    {"tup_fetched", count},
                                    {"tup_inserted", count},
                                    {"tup_updated", count},
                                    {"tup_deleted", count},
                                    {"conflicts", count},
                                    {"temp_files", count},
                                    {"temp_bytes", count},
                                    {"deadlocks", count},
                                    {"frozenxid_age", Int("age(datfrozenxid)")}}))},
         {"totals", Obj({{"xact_commit", count},
                         {"xact_rollback", count},
                         {"blks_read", count},
                         {"blks_hit", count},
                         {"cache_hit_ratio", OrNull(Num())},
                         {"deadlocks", count},
                         {"temp_bytes", count},
                         {"conflicts", count}})},
         {"wal", Obj({{"lsn", OrNull(Str("pg_current_wal_lsn (a standby: the last replayed)"))},
                      {"bytes", Num("The same position in bytes")},
                      {"bytes_per_s", OrNull(Num("Since this server's previous snapshot; null for the first"))}})},
         {"replication", Obj({{"role", Enum(std::initializer_list<std::string_view>{"primary", "standby"})},
                              {"standbys", ArrayOf(Obj({{"application_name", Str()},
                                                        {"client_addr", OrNull(Str())},
                                                        {"state", OrNull(Str())},
                                                        {"sync_state", OrNull(Str())},
                                                        {"sent_lag_bytes", OrNull(Num())},
                                                        {"write_lag_bytes", OrNull(Num())},
                                                        {"flush_lag_bytes", OrNull(Num())},
                                                        {"replay_lag_bytes", OrNull(Num())},
                                                        {"write_lag_s", OrNull(Num())},
                                                        {"flush_lag_s", OrNull(Num())},
                                                        {"replay_lag_s", OrNull(Num())}}))},
                              {"lag_bytes", OrNull(Num("Standby: received but not replayed"))},
                              {"lag_s", OrNull(Num("Standby: since the last replayed transaction"))}},
                             {}, {"lag_bytes", "lag_s"})},
         {"checkpointer", Obj({{"checkpoints_timed", count},
                               {"checkpoints_req", count},
                               {"checkpoint_write_time_ms", Num()},
                               {"checkpoint_sync_time_ms", Num()},
                               {"buffers_checkpoint", count},
                               {"buffers_clean", count},
                               {"maxwritten_clean", count},
                               {"buffers_backend", count},
                               {"buffers_backend_fsync", count},
                               {"buffers_alloc", count}})},
         {"wraparound", Obj({{"oldest_xact_age", Int("Age in transactions of the oldest snapshot held")},
                             {"oldest_xact_s", OrNull(Num("Seconds since the oldest transaction began"))},
                             {"max_frozenxid_age", Int("Largest age(datfrozenxid): wraparound risk")}})}});
}

json::object PostgresDatabaseStatsSchema() {
    const auto time = OrNull(Time());
    return Obj(
        {{"collected_at", Time()},
         {"server_id", Str()},
         {"database", Str()},
         {"size_bytes", Int()},
         {"tables_total", Int()},
         {"tables", ArrayOf(Obj({{"schema", Str()},
                                 {"name", Str()},
                                 {"size_bytes", Int()},
                                 {"total_size_bytes", Int("With indexes and TOAST")},
                                 {"indexes_size_bytes", Int()},
                                 {"live_tuples", Int()},
                                 {"dead_tuples", Int()},
                                 {"dead_tuple_ratio", OrNull(Num())},
                                 {"seq_scan", Int()},
                                 {"idx_scan", OrNull(Int())},
                                 {"last_vacuum", time},
                                 {"last_autovacuum", time},
                                 {"last_analyze", time},
                                 {"last_autoanalyze", time},
                                 {"vacuum_count", Int()},
                                 {"autovacuum_count", Int()},
                                 {"analyze_count", Int()},
                                 {"autoanalyze_count", Int()}}))},
         {"unused_indexes",
          ArrayOf(Obj(
              {{"schema", Str()}, {"table", Str()}, {"index", Str()}, {"size_bytes", Int()}, {"idx_scan", Int()}}))},
         {"duplicate_indexes",
          ArrayOf(Obj({{"schema", Str()}, {"table", Str()}, {"indexes", ArrayOf(Str())}, {"size_bytes", Int()}}))},
         {"statements", OrNull(ArrayOf(Obj({{"queryid", Str()},
                                            {"user", Str()},
                                            {"calls", Int()},
                                            {"total_time_ms", Num()},
                                            {"mean_time_ms", Num()},
                                            {"rows", Int()},
                                            {"shared_blks_hit", Int()},
                                            {"shared_blks_read", Int()},
                                            {"cache_hit_ratio", OrNull(Num())},
                                            {"temp_blks_written", Int()},
                                            {"query", OrNull(Str("Only with text=true, at most 2000 characters"))}})))},
         {"statements_reason", OrNull(Str("Why statements is null"))}});
}

}  // namespace

namespace {

// Every schema but the gateway's (response_schemas_gateway.cpp).
json::object CoreSchemas() {
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
        {"PostgresActivity", PostgresActivitySchema()},
        {"PostgresStats", PostgresStatsSchema()},
        {"PostgresDatabases", Obj({{"collected_at", Time()},
                                   {"server_id", Str()},
                                   {"databases", ArrayOf(Obj({{"name", Str()},
                                                              {"owner", Str()},
                                                              {"encoding", Str()},
                                                              {"size_bytes", Int()},
                                                              {"connections", Int()},
                                                              {"allow_connections", Bool()},
                                                              {"connection_limit", Int("-1: no limit")}}))}})},
        {"PostgresDatabaseStats", PostgresDatabaseStatsSchema()},
        {"PostgresSessionAction",
         Obj({{"pid", Int()},
              {"action", Enum(std::initializer_list<std::string_view>{"cancel", "terminate"})},
              {"signalled", Bool("PostgreSQL found the process and signalled it")},
              {"user", Str()},
              {"database", Str()},
              {"application", Str()},
              {"backend_type", Str()},
              {"query", Str("The session's query when it was signalled, first 200 characters")}})},
        {"PoolList",
         ArrayOf(Obj({{"server_id", Str()},
                      {"database", Str()},
                      {"class", Enum(std::initializer_list<std::string_view>{"default", "stats_db", "high_load"})},
                      {"size", Int("Open connections: in use and idle")},
                      {"in_use", Int()},
                      {"idle", Int()},
                      {"waiting", Int("Calls waiting for a connection")},
                      {"created_total", Int()},
                      {"errors_total", Int("Failed connects and broken connections")}}))},
    };
}

}  // namespace

json::object ResponseSchemas() {
    auto schemas = CoreSchemas();
    for (auto& [name, schema] : GatewaySchemas()) schemas[name] = std::move(schema);
    for (auto& [name, schema] : CollectorSchemas()) schemas[name] = std::move(schema);
    for (auto& [name, schema] : AlertSchemas()) schemas[name] = std::move(schema);
    return schemas;
}

}  // namespace gatehouse::api
