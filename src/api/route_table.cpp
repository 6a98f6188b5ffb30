#include "api/route_table.hpp"

#include "api/app_handlers.hpp"
#include "api/audit_handlers.hpp"
#include "api/auth_handlers.hpp"
#include "api/fleet_handlers.hpp"
#include "api/gateway_browser_handlers.hpp"
#include "api/gateway_handlers.hpp"
#include "api/ops_handlers.hpp"
#include "api/pgmon_handlers.hpp"
#include "api/route_helpers.hpp"
#include "api/task_handlers.hpp"
#include "api/task_stream.hpp"
#include "api/user_handlers.hpp"
#include "apps/app_types.hpp"
#include "fleet/fleet_types.hpp"
#include "tasks/task_types.hpp"

namespace gatehouse::api {

using http::Access;
using http::Verb;
using namespace routes;

void BuildRouteTable(http::Router& router, Services& s) {
    auto ops = std::make_shared<OpsHandlers>(OpsHandlers{s, router});
    auto auth =
        std::make_shared<AuthHandlers>(AuthHandlers{s.identity, CookieSettings{s.cookie_secure, s.cookie_same_site}});
    auto users = std::make_shared<UserHandlers>(UserHandlers{s.identity});
    auto audit = std::make_shared<AuditHandlers>(AuditHandlers{s.audit});
    auto fleet = std::make_shared<FleetHandlers>(FleetHandlers{s.fleet, s.monitor});
    auto task = std::make_shared<TaskHandlers>(TaskHandlers{s.tasks});
    auto apps = std::make_shared<AppHandlers>(AppHandlers{s.apps});
    using Ap = AppHandlers;
    using F = FleetHandlers;
    using T = TaskHandlers;
    auto stream = std::make_shared<TaskStreamHandler>(TaskStreamHandler{s.tasks});
    auto stream_options = Tag("tasks");
    stream_options.websocket = true;
    // Key imports may carry a large (invalid) file: let it reach the parser for a clear 400.
    auto import_options = Tag("ssh-keys", "ssh_key.import");
    import_options.max_body_bytes = 4 * 1024 * 1024;
    using http::BoolQuery, http::ChoiceQuery, http::DateTimeQuery, http::IntQuery, http::StringQuery;
    static constexpr std::string_view kOutcomes[] = {"success", "failure", "denied"};
    static constexpr std::string_view kOutputFormats[] = {"json", "raw"};
    auto since_seq = IntQuery("since_seq", "Output after this sequence number (0: from the start)", 0, INT64_MAX, 0);
    auto audit_events = Takes(
        Tag("audit"),
        Paged({StringQuery("actor", "Actor: a user name or id"), StringQuery("action", "Action, such as user.create"),
               StringQuery("resource_type", "Resource type, such as server"), StringQuery("resource_id", "Resource id"),
               ChoiceQuery("outcome", "Outcome", kOutcomes), DateTimeQuery("since", "Events at or after this time"),
               DateTimeQuery("until", "Events before this time")}));
    auto audit_stats = Takes(Tag("audit"), {DateTimeQuery("since", "Events at or after this time"),
                                            DateTimeQuery("until", "Events before this time")});
    auto task_list = Takes(
        Tag("tasks"),
        Paged({ChoiceQuery("state", "Task state", tasks::kTaskStates), ChoiceQuery("kind", "Task kind", tasks::kKinds),
               StringQuery("server", "Tasks with this server (id or name) among their targets"),
               StringQuery("server_id", "Same as server"), StringQuery("creator", "Tasks created by this user id"),
               StringQuery("created_by", "Same as creator")}));
    auto task_output = Takes(
        Tag("tasks"), {StringQuery("target", "Only this target's output (server id)"), since_seq,
                       ChoiceQuery("format", "json (pages of chunks) or raw (one target's bytes)", kOutputFormats),
                       IntQuery("limit", "Chunks per page (json)", 1, 10000, 1000)});
    task_output.response_alternative = "application/octet-stream";  // format=raw
    stream_options.query = {since_seq};
    auto app_list = Takes(Tag("apps"), Paged({StringQuery("project_id", "Apps of this project"),
                                              StringQuery("server_id", "Apps on this server"),
                                              ChoiceQuery("status", "App status", apps::kAppStates)}));
    auto server_list =
        Takes(Tag("servers"), Paged({StringQuery("tag", "Servers carrying this tag"),
                                     ChoiceQuery("status", "Last known status", fleet::kServerStatuses),
                                     StringQuery("q", "Text in the name, address or description (any case)")}));
    auto user_list = Takes(Tag("users"), Paged({ChoiceQuery("role", "Users with this role", auth::kRoleNames),
                                                BoolQuery("disabled", "Disabled (true) or active (false) users")}));
    auto token_list = Takes(Tag("users"), Paged({BoolQuery("all", "Everyone's tokens (admins only)")}));
    auto key_delete =
        Takes(Tag("ssh-keys", "ssh_key.delete"),
              {BoolQuery("force",
                         "Also detach it from servers that keep it but log in with a password (a key that "
                         "servers log in with is never deleted: 409 naming them)")});

    auto pg = std::make_shared<PgmonHandlers>(PgmonHandlers{s.monitor});
    auto fresh_query = BoolQuery("fresh", "Skip the cache and ask PostgreSQL now (operators and admins)");
    auto pg_fresh = Upstream(Takes(Tag("postgres"), {fresh_query}));
    auto pg_activity = Upstream(Takes(
        Tag("postgres"),
        {ChoiceQuery("state", "Sessions in this state", pgmon::kSessionStates),
         StringQuery("database", "Sessions connected to this database"),
         IntQuery("min_duration_ms", "Sessions in their query (active) or state at least this long", 0, INT64_MAX),
         BoolQuery("include_self", "Also gatehouse's own monitoring sessions"), fresh_query}));
    auto pg_db_stats = Upstream(Takes(
        Tag("postgres"), {IntQuery("top", "Top statements (pg_stat_statements)", 1, 1000, 20),
                          ChoiceQuery("order", "Order of the top statements", pgmon::kStatementOrders),
                          BoolQuery("text", "Include each statement's text (at most 2000 characters)"), fresh_query}));

    using http::BoolField, http::ChoiceField, http::DateTimeField, http::IntField, http::ObjectField, http::StringField,
        http::StringsField;
    static constexpr std::string_view kKeyTypes[] = {"ed25519", "rsa"};
    static constexpr std::string_view kAuthMethods[] = {"password", "key"};
    static constexpr std::string_view kPoolClasses[] = {"default", "stats_db", "high_load"};
    static constexpr std::string_view kExecKinds[] = {"exec"};
    const http::BodySchema login_body{{StringField("username", "User name", 256).Required(),
                                       StringField("password", "Password", 4096).Required().WriteOnly()}};
    const http::BodySchema refresh_body{
        {StringField("refresh_token", "The refresh token, for clients that cannot keep the cookie", 256).WriteOnly()},
        false,
        true};
    const http::BodySchema user_body{
        {StringField("username", "1 to 64 letters, digits, '.', '_' or '-'", 256).Required(),
         StringField("password", "At least 8 characters", 4096).Required().WriteOnly(),
         ChoiceField("role", "Role", auth::kRoleNames).Required()}};
    const http::BodySchema my_password_body{
        {StringField("current_password", "The password now", 4096).Required().WriteOnly(),
         StringField("password", "The new password (at least 8 characters)", 4096).Required().WriteOnly(),
         BoolField("revoke_api_tokens", "Also revoke every API token of the user (default false)")}};
    const http::BodySchema user_patch_body{
        {ChoiceField("role", "New role", auth::kRoleNames), BoolField("disabled", "Disable (true) or enable (false)"),
         StringField("password", "New password (at least 8 characters)", 4096).WriteOnly()},
        true};
    const http::BodySchema token_body{
        {StringField("name", "A name to tell the token by", 100).Required(),
         ChoiceField("role", "At most the caller's role (default: the caller's)", auth::kRoleNames),
         DateTimeField("expires_at", "When the token stops working (never, when absent)")}};
    const http::BodySchema server_body{
        {StringField("name", "Unique name", 1024).Required(),
         StringField("address", "Host name or IP address", 1024).Required(),
         IntField("ssh_port", "SSH port (default 22)", 1, 65535),
         StringField("ssh_user", "User to log in as", 1024).Required(),
         ChoiceField("auth_method", "How to log in", kAuthMethods).Required(),
         StringField("password", "SSH password (auth_method password); never shown again", 1024).WriteOnly(),
         StringField("ssh_key_id", "Stored SSH key to log in with (auth_method key); null removes it", 64),
         StringField("host_key_fingerprint", "Pin this host key (SHA256:...; admins only)", 64),
         StringsField("tags", "Tags: 1 to 64 letters, digits, '.', '_', ':' or '-'", 32, 64),
         StringField("description", "Free text", 4096),
         ObjectField("postgres", "The server's PostgreSQL endpoint; null removes it",
                     {StringField("host",
                                  "Host PostgreSQL listens on (default: the server's address; with via_ssh, "
                                  "as seen from the server, e.g. 127.0.0.1); null restores the default",
                                  253),
                      IntField("port", "Port (default 5432)", 1, 65535),
                      ChoiceField("sslmode", "libpq sslmode (default prefer)", fleet::kSslModes),
                      BoolField("via_ssh", "Connect through the server's SSH session (default false)"),
                      StringField("user", "Role (default postgres; needs pg_monitor)", 63),
                      StringField("password", "Password; never shown again", 1024).WriteOnly(),
                      StringField("database", "Database (default postgres)", 63),
                      ChoiceField("pool_class", "Connection pool class", kPoolClasses)})}};
    const http::BodySchema host_key_body{
        {StringField("fingerprint", "The pending host key being approved (SHA256:...)", 64).Required()}};
    const http::BodySchema generate_key_body{{StringField("name", "Unique name", 200).Required(),
                                              ChoiceField("type", "Key type", kKeyTypes).Required(),
                                              IntField("bits", "RSA only: 2048 to 8192 (default 3072)", 2048, 8192),
                                              StringField("comment", "Comment of the public key", 1024)}};
    const http::BodySchema import_key_body{
        {StringField("name", "Unique name", 200).Required(),
         StringField("private_key", "OpenSSH or PEM private key; never shown again", 4 * 1024 * 1024).WriteOnly(),
         StringField("passphrase", "Passphrase of an encrypted private key", 1024).WriteOnly(),
         StringField("public_key", "An authorized_keys line, for a key without its private part", 4 * 1024 * 1024),
         StringField("comment", "Comment of the public key", 1024)}};
    const http::BodySchema user_put_body{
        {ChoiceField("role", "Role", auth::kRoleNames).Required(),
         BoolField("disabled", "Disabled (true) or active (false)").Required(),
         StringField("password", "New password (at least 8 characters); the password stays when absent", 4096)
             .WriteOnly()}};
    const http::BodySchema key_put_body{{StringField("name", "Name", 200).Required(),
                                         StringField("comment", "Comment of the public key", 1024).Required()}};
    const http::BodySchema key_patch_body{
        {StringField("name", "New name", 200), StringField("comment", "New comment", 1024)}, true};
    auto targets_fields = [&] {
        return std::vector<http::BodyField>{StringsField("targets", "Servers by id or name", 10000, 256),
                                            ObjectField("selector", "Servers carrying all these tags",
                                                        {StringsField("tags", "Tags", 64, 256).Required()}),
                                            IntField("timeout_s", "Seconds each target may take", 1, 86400),
                                            IntField("concurrency", "Targets at once", 1, 1000)};
    };
    http::BodySchema task_body{targets_fields()};
    task_body.fields.push_back(ChoiceField("kind", "exec (the default)", kExecKinds));
    task_body.fields.push_back(StringField("command", "Shell command run on every target", 65536).Required());
    const http::BodySchema deploy_body{targets_fields()};
    http::BodySchema revoke_body{targets_fields()};
    revoke_body.fields.push_back(BoolField(
        "force", "Revoke also from servers that log in with this key (without it: 409 naming them; default false)"));
    const http::BodySchema project_body{
        {StringField("name", "Unique name", 1024).Required(), StringField("description", "Free text", 4096)}};
    const http::BodySchema app_body{
        {StringField("name", "Unique name in its project", 1024).Required(),
         StringField("project_id", "Project", 128).Required(),
         StringField("server_id", "Server by id or name", 128).Required(),
         StringField("cd_path", "Directory of the compose file on the server", 4096).Required(),
         StringField("app_url", "Where the app answers (http or https URL)", 2048),
         IntField("auto_stop_minutes", "Stop after this many minutes (0: never; default 60)", 0, 525600)}};
    const http::BodySchema app_start_body{
        {IntField("auto_stop_minutes", "This run's limit (0: never; default: the app's)", 0, 525600)}, false, true};
    const http::BodySchema echo_body{{}, false, false, true};
    http::BodySchema token_form{{StringField("grant_type", "password (the only grant; may be left out)", 32),
                                 StringField("username", "User name", 256).Required(),
                                 StringField("password", "Password", 4096).Required().WriteOnly()}};
    token_form.media_type = "application/x-www-form-urlencoded";
    auto gw = std::make_shared<GatewayHandlers>(GatewayHandlers{s.gateway});
    using G = GatewayHandlers;
    auto gw_browser = std::make_shared<GatewayBrowserHandlers>(GatewayBrowserHandlers{
        s.gateway, CookieSettings{s.gateway_cookie_secure, s.gateway_cookie_same_site}, s.gateway_identity});
    using GB = GatewayBrowserHandlers;
    const http::BodySchema gw_authenticate_body{
        {StringField("token", "An access token (64 characters)", 256).Required().WriteOnly()}};
    static constexpr std::string_view kDurationNames[] = {"1", "12", "24", "168", "720"};
    std::vector<http::BodyField> price_fields;
    for (const auto hours : kDurationNames)
        price_fields.push_back(
            IntField(std::string(hours), "Credits for " + std::string(hours) + " h", 0, 1'000'000'000'000));
    const http::BodySchema gateway_route_body{
        {StringField("slug", "1 to 63 lowercase letters, digits or '-': the route is at /gw/{slug}/", 63).Required(),
         StringField("name", "Display name", 200).Required(),
         StringField("upstream_url", "http(s)://host[:port][/base] of the web app", 2048).Required(),
         StringField("host", "A Host name served at its root by this route (no path prefix, no rewriting needed)", 253),
         StringsField("allowed_roles", "Roles that may buy and use tokens (default: all)", 3, 16),
         ObjectField("prices", "Credits per duration; a duration left out is not sold (none given: all free)",
                     price_fields),
         BoolField("websocket", "Proxy WebSocket upgrades (default true)"),
         BoolField("rewrite", "Rewrite upstream URLs in HTML, CSS and JS under /gw/{slug}/ (default false)"),
         BoolField("pass_access_token_header", "Send the access token upstream as X-Access-Token (default false)"),
         StringField("identity_header", "Header carrying a signed ES256 identity assertion to the upstream", 100),
         StringsField("allowed_origins", "Origins allowed to open WebSockets (default: this gateway's own)", 64, 256),
         http::StringMapField("extra_headers", "Headers added to every upstream request", 32, 4096),
         StringField("ca_file", "CA bundle (PEM) to verify an https upstream (default: the system's)", 4096),
         BoolField("enabled", "Tokens can be bought and used (default true)")}};
    const http::BodySchema purchase_body{
        {StringField("route", "The route's slug or id", 128).Required(),
         IntField("duration_hours", "1, 12, 24, 168 or 720", 1, 720).Required(),
         StringField("idempotency_key",
                     "Repeating a purchase with the same key answers the first one again, "
                     "charged once",
                     200)}};
    const http::BodySchema top_up_body{{StringField("user_id", "Whose wallet", 128).Required(),
                                        IntField("amount", "Whole credits; negative takes credits away (an adjustment)",
                                                 -1'000'000'000'000, 1'000'000'000'000)
                                            .Required(),
                                        StringField("note", "Why", 500)}};
    auto token_list_query =
        Takes(Tag("gateway"), Paged({BoolQuery("active_only", "Only tokens neither revoked nor expired"),
                                     StringQuery("route", "Tokens of this route (slug or id)"),
                                     BoolQuery("all", "Everyone's tokens (admins only)")}));
    auto wallet_query = Takes(Tag("gateway"), {StringQuery("user_id", "Another user's wallet (admins only)")});
    auto wallet_tx_query =
        Takes(Tag("gateway"), Paged({StringQuery("user_id", "Another user's wallet (admins only)")}));
    auto session_query = Takes(Tag("gateway"), {http::IntQuery("limit", "At most this many tokens", 1, 500, 50)});

    using O = OpsHandlers;
    using A = AuthHandlers;
    using U = UserHandlers;
    using Au = AuditHandlers;

    // clang-format off
    //          method         path                          access            handler                           summary
    router.Add(Returns("Health", {Verb::get,    "/healthz",                    Access::kPublic,   Bind(ops, &O::Health),            "Process is alive", Tag("ops")}));
    router.Add(Returns("Ready", {Verb::get,    "/readyz",                     Access::kPublic,   Bind(ops, &O::Ready),             "Database reachable and migrations current", Tag("ops")}));
    router.Add(ReturnsMedia("text/plain", {Verb::get,    "/metrics",                    Access::kPublic,   Bind(ops, &O::Metrics),           "Prometheus metrics", Tag("ops")}));
    router.Add({Verb::get,    "/openapi.json",               Access::kPublic,   Bind(ops, &O::OpenApi),           "This API as OpenAPI 3.1", Tag("ops")});
    router.Add(ReturnsMedia("text/html", {Verb::get,    "/docs",                       Access::kPublic,   Bind(ops, &O::Docs),              "API documentation page", Tag("ops")}));
    router.Add(Returns("Echo", {Verb::post,   "/api/v1/echo",                Access::kPublic,   Bind(ops, &O::Echo),              "Echo a JSON body (diagnostics)", Accepts(Tag("ops", "diagnostics.echo"), echo_body)}));

    router.Add(Returns("Session", {Verb::post,   "/api/v1/auth/login",          Access::kPublic,   Bind(auth, &A::Login),            "Log in with JSON {username, password}", Accepts(Tag("auth", "auth.login"), Example(login_body, {{"username", "admin"}, {"password", "correct-horse-battery"}}))}));
    router.Add(Returns("Session", {Verb::post,   "/api/v1/auth/token",          Access::kPublic,   Bind(auth, &A::Token),            "Log in with an OAuth2 password form", OAuth2Errors(Accepts(Tag("auth", "auth.login"), token_form))}));
    router.Add(Returns("Session", {Verb::post,   "/api/v1/auth/refresh",        Access::kPublic,   Bind(auth, &A::Refresh),          "Rotate the refresh cookie for a new access token", Accepts(Tag("auth", "auth.refresh"), refresh_body)}));
    router.Add({Verb::post,   "/api/v1/auth/logout",         Access::kPublic,   Bind(auth, &A::Logout),           "Revoke the session and the access token", Answers(http::Status::no_content, Tag("auth", "auth.logout"))});
    router.Add(Returns("Caller", {Verb::get,    "/api/v1/auth/verify",         Access::kViewer,   Bind(auth, &A::Verify),           "The caller, if the token is valid", Tag("auth")}));
    router.Add(Returns("User", {Verb::post,   "/api/v1/auth/register",       Access::kPublic,   Bind(auth, &A::Register),         "Self-registration as viewer (when enabled)", Answers(http::Status::created, Accepts(Tag("auth", "auth.register"), login_body))}));

    router.Add(Returns("UserPage", {Verb::get,    "/api/v1/users",               Access::kAdmin,    Bind(users, &U::List),            "List users (filters: role, disabled)", user_list}));
    router.Add(Returns("User", {Verb::post,   "/api/v1/users",               Access::kAdmin,    Bind(users, &U::Create),          "Create a user", Answers(http::Status::created, Accepts(Tag("users", "user.create"), Example(user_body, {{"username", "alice"}, {"password", "a-long-passphrase"}, {"role", "operator"}})))}));
    router.Add(Returns("User", {Verb::get,    "/api/v1/users/me",            Access::kViewer,   Bind(users, &U::Me),              "The calling user", Tag("users")}));
    router.Add({Verb::patch,  "/api/v1/users/me",            Access::kViewer,   Bind(users, &U::ChangeMyPassword),"Change one's own password {current_password, password}", Answers(http::Status::no_content, Accepts(Tag("users", "user.password_change"), my_password_body))});
    router.Add(Returns("User", {Verb::get,    "/api/v1/users/{id}",          Access::kAdmin,    Bind(users, &U::Get),             "Get a user", Tag("users")}));
    router.Add(Returns("User", {Verb::patch,  "/api/v1/users/{id}",          Access::kAdmin,    Bind(users, &U::Patch),           "Change a user's role, disabled flag or password", Accepts(Tag("users", "user.update"), user_patch_body)}));
    router.Add(Returns("User", {Verb::put,    "/api/v1/users/{id}",          Access::kAdmin,    Bind(users, &U::Patch),           "Replace a user's role and disabled flag (and password)", Accepts(Tag("users", "user.update"), user_put_body)}));
    router.Add({Verb::delete_,"/api/v1/users/{id}",          Access::kAdmin,    Bind(users, &U::Delete),          "Delete a user", Answers(http::Status::no_content, Tag("users", "user.delete"))});
    router.Add(Returns("ApiTokenPage", {Verb::get,    "/api/v1/api-tokens",          Access::kViewer,   Bind(users, &U::ListTokens),      "List one's API tokens (?all=true: everyone's, admin)", token_list}));
    router.Add(Returns("ApiToken", {Verb::post,   "/api/v1/api-tokens",          Access::kViewer,   Bind(users, &U::CreateToken),     "Create an API token (shown once)", Answers(http::Status::created, Accepts(Tag("users", "api_token.create"), Example(token_body, {{"name", "ci-deploy"}, {"role", "operator"}, {"expires_at", "2027-06-30T00:00:00Z"}})))}));
    router.Add({Verb::delete_,"/api/v1/api-tokens/{id}",     Access::kViewer,   Bind(users, &U::DeleteToken),     "Revoke an API token", Answers(http::Status::no_content, Tag("users", "api_token.revoke"))});

    router.Add(Returns("AuditEventPage", {Verb::get,    "/api/v1/audit/events",        Access::kAdmin,    Bind(audit, &Au::Events),         "Audit events, newest first, with filters", audit_events}));
    router.Add(Returns("AuditStats", {Verb::get,    "/api/v1/audit/stats",         Access::kAdmin,    Bind(audit, &Au::Stats),          "Audit counts by day, action and outcome", audit_stats}));

    router.Add(Returns("ServerPage", {Verb::get,    "/api/v1/servers",                      Access::kViewer,   Bind(fleet, &F::ListServers),   "List servers with their cached status (filters: tag, status, q)", server_list}));
    router.Add(Returns("Server", {Verb::post,   "/api/v1/servers",                      Access::kOperator, Bind(fleet, &F::CreateServer),  "Create a server (password is write-only)", Answers(http::Status::created, Accepts(Tag("servers", "server.create"), Example(server_body, {{"name", "web-1"}, {"address", "10.0.0.5"}, {"ssh_port", 22}, {"ssh_user", "deploy"}, {"auth_method", "key"}, {"ssh_key_id", "01936f0e-7c4a-7b1e-9d2f-5a8c3e1b4d60"}, {"tags", boost::json::array{"web", "eu"}}, {"description", "Front web server"}, {"postgres", {{"port", 5432}, {"user", "monitor"}, {"database", "postgres"}, {"pool_class", "default"}}}})))}));
    router.Add(Returns("Server", {Verb::get,    "/api/v1/servers/{id}",                 Access::kViewer,   Bind(fleet, &F::GetServer),     "Get a server", Tag("servers")}));
    router.Add(Returns("Server", {Verb::put,    "/api/v1/servers/{id}",                 Access::kOperator, Bind(fleet, &F::ReplaceServer), "Replace a server", Accepts(Tag("servers", "server.update"), server_body)}));
    router.Add(Returns("Server", {Verb::patch,  "/api/v1/servers/{id}",                 Access::kOperator, Bind(fleet, &F::PatchServer),   "Change some fields of a server", Accepts(Tag("servers", "server.update"), Partial(server_body))}));
    router.Add({Verb::delete_,"/api/v1/servers/{id}",                 Access::kOperator, Bind(fleet, &F::DeleteServer),  "Delete a server and its secrets", Answers(http::Status::no_content, Tag("servers", "server.delete"))});
    router.Add(Returns("SshTest", {Verb::post,   "/api/v1/servers/{id}/test-ssh",        Access::kOperator, Bind(fleet, &F::TestSsh),       "Log in over SSH and report latency and host key", Tag("servers", "server.test_ssh")}));
    router.Add(Returns("ServerStatus", {Verb::get,    "/api/v1/servers/{id}/status",          Access::kViewer,   Bind(fleet, &F::Status),        "Uptime, load and containers (cached)", Tag("servers")}));
    router.Add(Returns("ServerDisk", {Verb::get,    "/api/v1/servers/{id}/disk",            Access::kViewer,   Bind(fleet, &F::Disk),          "Mounted filesystems (cached)", Tag("servers")}));
    router.Add(Returns("HostKeyAccepted", {Verb::post,   "/api/v1/servers/{id}/host-key/accept", Access::kAdmin,    Bind(fleet, &F::AcceptHostKey), "Accept the pending host key {fingerprint} (after a change or a move)", Accepts(Tag("servers", "server.host_key_accept"), host_key_body)}));

    // PostgreSQL monitoring: every answer comes from the monitored server, whose failures are 409/502/503 with a kind.
    using P = PgmonHandlers;
    router.Add(Returns("PostgresActivity", {Verb::get, "/api/v1/servers/{id}/postgres/activity", Access::kViewer, Bind(pg, &P::Activity), "pg_stat_activity snapshot with blocking pids (cached: X-Cache)", pg_activity}));
    router.Add(Returns("PostgresSessionAction", {Verb::post, "/api/v1/servers/{id}/postgres/sessions/{pid}/cancel", Access::kAdmin, Bind(pg, &P::Cancel), "pg_cancel_backend(pid) (never gatehouse's own sessions)", Upstream(Tag("postgres", "postgres.cancel"))}));
    router.Add(Returns("PostgresSessionAction", {Verb::post, "/api/v1/servers/{id}/postgres/sessions/{pid}/terminate", Access::kAdmin, Bind(pg, &P::Terminate), "pg_terminate_backend(pid) (never gatehouse's own sessions)", Upstream(Tag("postgres", "postgres.terminate"))}));
    router.Add(Returns("PostgresStats", {Verb::get, "/api/v1/servers/{id}/postgres/stats", Access::kViewer, Bind(pg, &P::Stats), "Server statistics: connections, databases, WAL, replication, checkpointer, wraparound (cached)", pg_fresh}));
    router.Add(Returns("PostgresDatabases", {Verb::get, "/api/v1/servers/{id}/postgres/databases", Access::kViewer, Bind(pg, &P::Databases), "Databases with size and connections (cached)", pg_fresh}));
    router.Add(Returns("PostgresDatabaseStats", {Verb::get, "/api/v1/servers/{id}/postgres/databases/{db}/stats", Access::kViewer, Bind(pg, &P::DatabaseStats), "Tables, unused and duplicate indexes, top statements of one database (cached)", pg_db_stats}));
    router.Add(ReturnsMedia("text/plain", {Verb::get, "/api/v1/servers/{id}/postgres/metrics", Access::kViewer, Bind(pg, &P::ServerMetrics), "The server's PostgreSQL statistics for Prometheus (postgres_exporter names; pg_up 0 when unreachable)", Upstream(Tag("postgres"))}));
    router.Add(ReturnsMedia("text/plain", {Verb::get, "/api/v1/postgres/metrics", Access::kViewer, Bind(pg, &P::AllMetrics), "Every monitored server's PostgreSQL statistics for Prometheus, labelled server", Tag("postgres")}));
    router.Add(Returns("PoolList", {Verb::get, "/api/v1/pools", Access::kViewer, Bind(pg, &P::Pools), "Monitoring connection pools, one row each", Tag("postgres")}));

    router.Add(Returns("SshKeyPage", {Verb::get,    "/api/v1/ssh-keys",                     Access::kViewer,   Bind(fleet, &F::ListKeys),      "List SSH keys (public parts)", Takes(Tag("ssh-keys"), Paged())}));
    router.Add(Returns("SshKey", {Verb::post,   "/api/v1/ssh-keys/generate",            Access::kOperator, Bind(fleet, &F::GenerateKey),   "Generate an Ed25519 or RSA key", Answers(http::Status::created, Accepts(Tag("ssh-keys", "ssh_key.generate"), Example(generate_key_body, {{"name", "deploy-2026"}, {"type", "ed25519"}, {"comment", "deploy@gatehouse"}})))}));
    router.Add(Returns("SshKey", {Verb::post,   "/api/v1/ssh-keys/import",              Access::kOperator, Bind(fleet, &F::ImportKey),     "Import a key (JSON or multipart file)", Answers(http::Status::created, Accepts(import_options, import_key_body))}));
    router.Add(Returns("SshKey", {Verb::get,    "/api/v1/ssh-keys/{id}",                Access::kViewer,   Bind(fleet, &F::GetKey),        "Get an SSH key", Tag("ssh-keys")}));
    router.Add(Returns("SshKey", {Verb::patch,  "/api/v1/ssh-keys/{id}",                Access::kOperator, Bind(fleet, &F::PatchKey),      "Rename or re-comment an SSH key", Accepts(Tag("ssh-keys", "ssh_key.update"), key_patch_body)}));
    router.Add(Returns("SshKey", {Verb::put,    "/api/v1/ssh-keys/{id}",                Access::kOperator, Bind(fleet, &F::PatchKey),      "Replace an SSH key's name and comment", Accepts(Tag("ssh-keys", "ssh_key.update"), key_put_body)}));
    router.Add({Verb::delete_,"/api/v1/ssh-keys/{id}",                Access::kOperator, Bind(fleet, &F::DeleteKey),     "Delete an SSH key (409 while servers log in with it)", Answers(http::Status::no_content, key_delete)});
    router.Add(ReturnsMedia("text/plain", {Verb::get,    "/api/v1/ssh-keys/{id}/public",         Access::kViewer,   Bind(fleet, &F::PublicKey),     "Download the authorized_keys line", Tag("ssh-keys")}));
    router.Add(Returns("ServerPage", {Verb::get,    "/api/v1/ssh-keys/{id}/servers",        Access::kViewer,   Bind(fleet, &F::KeyServers),    "Servers that use this key", Tag("ssh-keys")}));
    router.Add(Returns("Task", {Verb::post,   "/api/v1/ssh-keys/{id}/deploy",         Access::kOperator, Bind(task, &T::DeployKey),      "Add the key to authorized_keys on targets (a deploy_key task)", Answers(http::Status::accepted, Accepts(Tag("ssh-keys", "ssh_key.deploy"), deploy_body))}));
    router.Add(Returns("Task", {Verb::post,   "/api/v1/ssh-keys/{id}/revoke",         Access::kOperator, Bind(task, &T::RevokeKey),      "Remove the key from authorized_keys on targets (a revoke_key task)", Answers(http::Status::accepted, Accepts(Tag("ssh-keys", "ssh_key.revoke"), revoke_body))}));

    router.Add(Returns("Task", {Verb::post,   "/api/v1/tasks",                        Access::kOperator, Bind(task, &T::Create),         "Run a command on servers {targets, selector?, kind: exec, command, timeout_s?, concurrency?}", Answers(http::Status::accepted, Accepts(Tag("tasks", "task.create"), Example(task_body, {{"targets", boost::json::array{"web-1", "web-2"}}, {"command", "uptime"}, {"timeout_s", 30}, {"concurrency", 2}})))}));
    router.Add(Returns("TaskPage", {Verb::get,    "/api/v1/tasks",                        Access::kViewer,   Bind(task, &T::List),           "Tasks, newest first (filters: state, kind, server, creator)", task_list}));
    router.Add(Returns("Task", {Verb::get,    "/api/v1/tasks/{id}",                   Access::kViewer,   Bind(task, &T::Get),            "A task with per-target state and progress", Tag("tasks")}));
    router.Add(Returns("TaskOutput", {Verb::get,    "/api/v1/tasks/{id}/output",            Access::kViewer,   Bind(task, &T::Output),         "Stored output (?target=&since_seq=; &format=raw for one target's bytes)", task_output}));
    router.Add({Verb::get,    "/api/v1/tasks/{id}/stream",            Access::kViewer,   Bind(stream, &TaskStreamHandler::Stream), "WebSocket: stored then live output, target states, a summary (token in Authorization or ?access_token=)", stream_options});
    router.Add(Returns("Task", {Verb::post,   "/api/v1/tasks/{id}/cancel",            Access::kOperator, Bind(task, &T::Cancel),         "Stop a queued or running task", Answers(http::Status::accepted, Tag("tasks", "task.cancel"))}));

    router.Add(Returns("ProjectPage", {Verb::get,    "/api/v1/projects",                     Access::kViewer,   Bind(apps, &Ap::ListProjects),  "List projects", Takes(Tag("apps"), Paged())}));
    router.Add(Returns("Project", {Verb::post,   "/api/v1/projects",                     Access::kOperator, Bind(apps, &Ap::CreateProject), "Create a project {name, description?} (name unique)", Answers(http::Status::created, Accepts(Tag("apps", "project.create"), project_body))}));
    router.Add(Returns("Project", {Verb::get,    "/api/v1/projects/{id}",                Access::kViewer,   Bind(apps, &Ap::GetProject),    "Get a project", Tag("apps")}));
    router.Add(Returns("Project", {Verb::put,    "/api/v1/projects/{id}",                Access::kOperator, Bind(apps, &Ap::ReplaceProject),"Replace a project", Accepts(Tag("apps", "project.update"), project_body)}));
    router.Add(Returns("Project", {Verb::patch,  "/api/v1/projects/{id}",                Access::kOperator, Bind(apps, &Ap::ReplaceProject),"Change some fields of a project", Accepts(Tag("apps", "project.update"), Partial(project_body))}));
    router.Add({Verb::delete_,"/api/v1/projects/{id}",                Access::kOperator, Bind(apps, &Ap::DeleteProject), "Delete a project and its apps", Answers(http::Status::no_content, Tag("apps", "project.delete"))});
    router.Add(Returns("AppPage", {Verb::get,    "/api/v1/apps",                         Access::kViewer,   Bind(apps, &Ap::ListApps),      "List apps (filters: project_id, server_id, status)", app_list}));
    router.Add(Returns("App", {Verb::post,   "/api/v1/apps",                         Access::kOperator, Bind(apps, &Ap::CreateApp),     "Create a compose app {name, project_id, server_id, cd_path, app_url?, auto_stop_minutes?}", Answers(http::Status::created, Accepts(Tag("apps", "app.create"), Example(app_body, {{"name", "grafana"}, {"project_id", "01936f0e-7c4a-7b1e-9d2f-5a8c3e1b4d61"}, {"server_id", "web-1"}, {"cd_path", "/srv/grafana"}, {"app_url", "https://grafana.example.com"}, {"auto_stop_minutes", 120}})))}));
    router.Add(Returns("App", {Verb::get,    "/api/v1/apps/{id}",                    Access::kViewer,   Bind(apps, &Ap::GetApp),        "Get an app with its status and auto-stop deadline", Tag("apps")}));
    router.Add(Returns("App", {Verb::put,    "/api/v1/apps/{id}",                    Access::kOperator, Bind(apps, &Ap::ReplaceApp),    "Replace an app", Accepts(Tag("apps", "app.update"), app_body)}));
    router.Add(Returns("App", {Verb::patch,  "/api/v1/apps/{id}",                    Access::kOperator, Bind(apps, &Ap::ReplaceApp),    "Change some fields of an app", Accepts(Tag("apps", "app.update"), Partial(app_body))}));
    router.Add({Verb::delete_,"/api/v1/apps/{id}",                    Access::kOperator, Bind(apps, &Ap::DeleteApp),     "Delete an app (its containers are left as they are)", Answers(http::Status::no_content, Tag("apps", "app.delete"))});
    router.Add(Returns("AppRun", {Verb::post,   "/api/v1/apps/{id}/start",              Access::kOperator, Bind(apps, &Ap::Start),         "docker compose up -d as a compose_up task {auto_stop_minutes?}", Answers(http::Status::accepted, Accepts(Tag("apps", "app.start"), app_start_body))}));
    router.Add(Returns("AppRun", {Verb::post,   "/api/v1/apps/{id}/stop",               Access::kOperator, Bind(apps, &Ap::Stop),          "docker compose down as a compose_down task", Answers(http::Status::accepted, Tag("apps", "app.stop"))}));

    router.Add(Returns("GatewayRoutePage", {Verb::get, "/api/v1/gateway/routes", Access::kViewer, Bind(gw, &G::ListRoutes), "List gateway routes", Takes(Tag("gateway"), Paged())}));
    router.Add(Returns("GatewayRoute", {Verb::post, "/api/v1/gateway/routes", Access::kAdmin, Bind(gw, &G::CreateRoute), "Create a gateway route to an internal web app", Answers(http::Status::created, Accepts(Tag("gateway", "gateway_route.create"), Example(gateway_route_body, {{"slug", "grafana"}, {"name", "Grafana"}, {"upstream_url", "http://10.0.0.5:3000"}, {"allowed_roles", {"admin", "operator"}}, {"prices", {{"1", 1}, {"12", 10}, {"24", 18}, {"168", 100}, {"720", 400}}}, {"rewrite", true}})))}));
    router.Add(Returns("GatewayRoute", {Verb::get, "/api/v1/gateway/routes/{id}", Access::kViewer, Bind(gw, &G::GetRoute), "Get a gateway route (by id or slug)", Tag("gateway")}));
    router.Add(Returns("GatewayRoute", {Verb::put, "/api/v1/gateway/routes/{id}", Access::kAdmin, Bind(gw, &G::ReplaceRoute), "Replace a gateway route", Accepts(Tag("gateway", "gateway_route.update"), gateway_route_body)}));
    router.Add(Returns("GatewayRoute", {Verb::patch, "/api/v1/gateway/routes/{id}", Access::kAdmin, Bind(gw, &G::ReplaceRoute), "Change some fields of a gateway route", Accepts(Tag("gateway", "gateway_route.update"), Partial(gateway_route_body))}));
    router.Add({Verb::delete_, "/api/v1/gateway/routes/{id}", Access::kAdmin, Bind(gw, &G::DeleteRoute), "Delete a gateway route and its access tokens (their connections end)", Answers(http::Status::no_content, Tag("gateway", "gateway_route.delete"))});
    router.Add(Returns("AccessTokenPurchase", {Verb::post, "/api/v1/access-tokens", Access::kViewer, Bind(gw, &G::BuyToken), "Buy an access token to a gateway route with wallet credits", Charges(Answers(http::Status::created, Accepts(Tag("gateway", "gateway.token_purchase"), Example(purchase_body, {{"route", "grafana"}, {"duration_hours", 24}, {"idempotency_key", "7f1c2e"}}))))}));
    router.Add(Returns("AccessTokenPage", {Verb::get, "/api/v1/access-tokens", Access::kViewer, Bind(gw, &G::ListTokens), "List your access tokens (admins: ?all=true)", token_list_query}));
    router.Add(Returns("AccessTokenRevocation", {Verb::delete_, "/api/v1/access-tokens/{id}", Access::kViewer, Bind(gw, &G::RevokeToken), "Revoke an access token; its unused whole hours are refunded", Tag("gateway", "gateway.token_revoke")}));
    router.Add(Returns("Wallet", {Verb::get, "/api/v1/wallet", Access::kViewer, Bind(gw, &G::Wallet), "Your wallet's balance", wallet_query}));
    router.Add(Returns("WalletTransactionPage", {Verb::get, "/api/v1/wallet/transactions", Access::kViewer, Bind(gw, &G::Transactions), "Your wallet's ledger, newest first", wallet_tx_query}));
    router.Add(Returns("WalletTransaction", {Verb::post, "/api/v1/wallet/top-up", Access::kAdmin, Bind(gw, &G::TopUp), "Add credits to a user's wallet (or take them: a negative amount)", Charges(Answers(http::Status::created, Accepts(Tag("gateway", "wallet.top_up"), top_up_body)))}));
    router.Add(Returns("GatewayBrowserSession", {Verb::post, "/gw/authenticate", Access::kPublic, Bind(gw_browser, &GB::Authenticate), "Trade an access token for the gatehouse_access cookie (HttpOnly; Path /gw/, or / on a route's own host)", Accepts(Tag("gateway", "gateway.authenticate"), gw_authenticate_body)}));
    router.Add(Returns("GatewayBrowserSession", {Verb::get, "/gw/status", Access::kPublic, Bind(gw_browser, &GB::Status), "The access token of the cookie (or X-Access-Token) and its remaining seconds", Tag("gateway")}));
    router.Add(Returns("Jwks", {Verb::get, "/.well-known/jwks.json", Access::kPublic, Bind(gw_browser, &GB::Jwks), "Public keys (ES256) of the identity assertions the gateway sends upstreams", Tag("gateway")}));
    router.Add({Verb::delete_, "/gw/logout", Access::kPublic, Bind(gw_browser, &GB::Logout), "Drop the gatehouse_access cookie", Answers(http::Status::no_content, Tag("gateway", "gateway.logout"))});
    router.Add(Returns("GatewaySessionList", {Verb::get, "/api/v1/gateway/sessions", Access::kViewer, Bind(gw, &G::Sessions), "Proxy usage per access token (admins: everyone's)", session_query}));
    // clang-format on
    AddCollectorRoutes(router, s);
}

}  // namespace gatehouse::api
