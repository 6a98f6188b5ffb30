#include "api/fleet_handlers.hpp"

#include <boost/json/array.hpp>

#include "api/gatekeeper.hpp"
#include "api/json_fields.hpp"
#include "api/multipart.hpp"
#include "core/errc.hpp"
#include "core/text.hpp"
#include "http/json_body.hpp"
#include "http/problem.hpp"

namespace gatehouse::api {

using http::Response;
using http::Status;
namespace json = boost::json;

namespace {

json::object KeyJson(const fleet::KeyView& k) {
    return {{"id", k.id},
            {"name", k.name},
            {"type", k.type},
            {"bits", k.bits},
            {"fingerprint", k.fingerprint},
            {"comment", k.comment},
            {"public_key", k.public_key},
            {"has_private_key", k.has_private_key},
            {"created_at", k.created_at},
            {"updated_at", k.updated_at}};
}

json::object ServerJson(const fleet::ServerView& s) {
    json::array tags;
    for (const auto& tag : s.tags) tags.emplace_back(tag);
    json::value postgres = nullptr;
    if (s.postgres)
        postgres = json::object{{"host", OptionalJson(s.postgres->host)},
                                {"port", s.postgres->port},
                                {"sslmode", s.postgres->sslmode},
                                {"via_ssh", s.postgres->via_ssh},
                                {"user", s.postgres->user},
                                {"database", s.postgres->database},
                                {"pool_class", s.postgres->pool_class},
                                {"has_password", s.postgres->has_password},
                                {"password_locked", s.postgres->password_locked}};
    return {{"id", s.id},
            {"name", s.name},
            {"address", s.address},
            {"ssh_port", s.ssh_port},
            {"ssh_user", s.ssh_user},
            {"auth_method", s.auth_method},
            {"has_password", s.has_password},
            {"ssh_key_id", OptionalJson(s.ssh_key_id)},
            {"host_key_fingerprint", OptionalJson(s.host_key_fingerprint)},
            {"pending_host_key_fingerprint", OptionalJson(s.pending_host_key_fingerprint)},
            {"credentials_locked", s.credentials_locked},
            {"tags", std::move(tags)},
            {"description", s.description},
            {"postgres", std::move(postgres)},
            {"status", s.status},
            {"last_checked", OptionalJson(s.last_checked)},
            {"created_at", s.created_at},
            {"updated_at", s.updated_at}};
}

int IntField(const json::object& body, std::string_view field, int fallback) {
    const auto* value = body.if_contains(field);
    if (!value || value->is_null()) return fallback;
    if (!value->is_int64() || value->as_int64() < 0 || value->as_int64() > 1'000'000)
        throw core::Error(core::errc::invalid_argument, "field '" + std::string(field) + "' must be an integer");
    return static_cast<int>(value->as_int64());
}

// Reads a server body over `base` (the stored server for PUT/PATCH, defaults for POST).
fleet::ServerInput ReadServer(const json::object& body, const fleet::ServerInput& base, bool partial) {
    OnlyFields(body, {"name", "address", "ssh_port", "ssh_user", "auth_method", "password", "ssh_key_id",
                      "host_key_fingerprint", "tags", "description", "postgres"});
    fleet::ServerInput in = base;
    auto text = [&](std::string_view field, std::string& target, bool required) {
        if (auto value = OptionalString(body, field, 1024)) {
            target = *value;
        } else if (required && !partial) {
            throw core::Error(core::errc::invalid_argument, "field '" + std::string(field) + "' is required");
        }
    };
    text("name", in.name, true);
    text("address", in.address, true);
    text("ssh_user", in.ssh_user, true);
    text("auth_method", in.auth_method, true);
    in.ssh_port = IntField(body, "ssh_port", partial ? in.ssh_port : 22);
    if (auto password = OptionalString(body, "password", 1024)) in.password = password;
    in.ssh_key_id_given = body.contains("ssh_key_id");
    if (in.ssh_key_id_given) in.ssh_key_id = OptionalString(body, "ssh_key_id", 64);
    in.host_key_fingerprint = OptionalString(body, "host_key_fingerprint", 64);
    if (const auto* tags = body.if_contains("tags")) {
        if (!tags->is_array())
            throw core::Error(core::errc::invalid_argument, "field 'tags' must be an array of strings");
        in.tags.clear();
        for (const auto& tag : tags->as_array()) {
            if (!tag.is_string())
                throw core::Error(core::errc::invalid_argument, "field 'tags' must be an array of strings");
            in.tags.emplace_back(tag.as_string());
        }
    }
    if (auto description = OptionalString(body, "description", 4096)) in.description = *description;
    if (const auto* pg = body.if_contains("postgres")) {
        if (pg->is_null()) {
            in.postgres.reset();
        } else if (!pg->is_object()) {
            throw core::Error(core::errc::invalid_argument, "field 'postgres' must be an object or null");
        } else {
            const auto& o = pg->as_object();
            OnlyFields(o, {"host", "port", "sslmode", "via_ssh", "user", "password", "database", "pool_class"});
            fleet::PostgresEndpoint endpoint = in.postgres.value_or(fleet::PostgresEndpoint{});
            if (const auto* host = o.if_contains("host")) {
                endpoint.host = host->is_null() ? std::nullopt : OptionalString(o, "host", 253);
            }
            endpoint.port = IntField(o, "port", endpoint.port);
            endpoint.sslmode = OptionalString(o, "sslmode", 16).value_or(endpoint.sslmode);
            if (const auto* via_ssh = o.if_contains("via_ssh"); via_ssh && via_ssh->is_bool())
                endpoint.via_ssh = via_ssh->as_bool();
            endpoint.user = OptionalString(o, "user", 63).value_or(endpoint.user);
            endpoint.database = OptionalString(o, "database", 63).value_or(endpoint.database);
            endpoint.pool_class = OptionalString(o, "pool_class", 32).value_or(endpoint.pool_class);
            in.postgres = endpoint;
            if (auto password = OptionalString(o, "password", 1024)) in.postgres_password = password;
        }
    }
    return in;
}

fleet::ServerInput InputOf(const fleet::ServerView& s) {
    fleet::ServerInput in;
    in.name = s.name;
    in.address = s.address;
    in.ssh_port = s.ssh_port;
    in.ssh_user = s.ssh_user;
    in.auth_method = s.auth_method;
    in.ssh_key_id = s.ssh_key_id;
    in.tags = s.tags;
    in.description = s.description;
    in.postgres = s.postgres;
    return in;
}

}  // namespace

boost::asio::awaitable<Response> FleetHandlers::ListServers(http::RequestContext& context) const {
    fleet::ServerFilter filter;
    filter.tag = FilterParam(context, "tag");
    filter.status = FilterParam(context, "status");
    filter.q = FilterParam(context, "q");
    auto page = co_await fleet.ListServers(PageLimit(context), context.Query("cursor").value_or(""), std::move(filter));
    json::array items;
    for (const auto& server : page.items) items.push_back(ServerJson(server));
    co_return http::Json(Status::ok, {{"items", std::move(items)}, {"next_cursor", OptionalJson(page.next_cursor)}});
}

boost::asio::awaitable<Response> FleetHandlers::CreateServer(http::RequestContext& context) const {
    context.audit.action = "server.create";
    const auto& body = http::ParseJsonBody(context);
    auto input = ReadServer(RequireObject(body), fleet::ServerInput{}, false);
    auto server = co_await fleet.CreateServer(std::move(input), IsAdmin(context));
    context.audit.resource_type = "server";
    context.audit.resource_id = server.id;
    context.audit.details = {{"name", server.name}, {"address", server.address}};
    co_return http::Created(ServerJson(server), "/api/v1/servers/" + server.id);
}

boost::asio::awaitable<Response> FleetHandlers::GetServer(http::RequestContext& context) const {
    co_return http::Json(Status::ok, ServerJson(co_await fleet.GetServer(std::string(context.Param("id")))));
}

boost::asio::awaitable<Response> FleetHandlers::ReplaceServer(http::RequestContext& context) const {
    context.audit.action = "server.update";
    const auto& body = http::ParseJsonBody(context);
    const auto& fields = RequireObject(body);
    const std::string id(context.Param("id"));
    auto current = co_await fleet.GetServer(id);
    fleet::ServerInput base;
    base.postgres = current.postgres;  // keeps has_password for a stored PostgreSQL password
    auto input = ReadServer(fields, base, false);
    co_return co_await Update(context, id, std::move(input));
}

boost::asio::awaitable<Response> FleetHandlers::PatchServer(http::RequestContext& context) const {
    context.audit.action = "server.update";
    const auto& body = http::ParseJsonBody(context);
    const auto& fields = RequireObject(body);
    const std::string id(context.Param("id"));
    auto current = co_await fleet.GetServer(id);
    auto input = ReadServer(fields, InputOf(current), true);
    co_return co_await Update(context, id, std::move(input));
}

boost::asio::awaitable<Response> FleetHandlers::Update(http::RequestContext& context, const std::string& id,
                                                       fleet::ServerInput input) const {
    auto update = co_await fleet.UpdateServer(id, std::move(input), IsAdmin(context));
    monitor.Forget(id);  // snapshots and connections of the endpoint as it was
    context.audit.details["changes"] = update.changes.fields();
    co_return http::Json(Status::ok, ServerJson(update.server));
}

boost::asio::awaitable<Response> FleetHandlers::DeleteServer(http::RequestContext& context) const {
    context.audit.action = "server.delete";
    co_await fleet.DeleteServer(std::string(context.Param("id")));
    monitor.Forget(std::string(context.Param("id")));
    co_return NoContent();
}

boost::asio::awaitable<Response> FleetHandlers::TestSsh(http::RequestContext& context) const {
    context.audit.action = "server.test_ssh";
    const auto result = co_await fleet.TestSsh(std::string(context.Param("id")));
    context.audit.details = {{"ok", result.ok}};
    if (result.error_kind) context.audit.details["error_kind"] = *result.error_kind;
    co_return http::Json(Status::ok, {{"ok", result.ok},
                                      {"latency_ms", result.latency_ms},
                                      {"handshake_ms", result.handshake_ms},
                                      {"login_ms", result.login_ms},
                                      {"host_key_fingerprint", OptionalJson(result.host_key_fingerprint)},
                                      {"auth_method", result.auth_method},
                                      {"error_kind", OptionalJson(result.error_kind)},
                                      {"error", OptionalJson(result.error)}});
}

boost::asio::awaitable<Response> FleetHandlers::Status(http::RequestContext& context) const {
    const auto s = co_await fleet.Status(std::string(context.Param("id")));
    json::value load = nullptr;
    if (s.load_average) load = json::array{(*s.load_average)[0], (*s.load_average)[1], (*s.load_average)[2]};
    co_return http::Json(
        Status::ok,
        {{"status", s.status},
         {"error_kind", OptionalJson(s.error_kind)},
         {"error", OptionalJson(s.error)},
         {"uptime_seconds", s.uptime_seconds ? json::value(*s.uptime_seconds) : json::value(nullptr)},
         {"load_average", std::move(load)},
         {"running_containers", s.running_containers ? json::value(*s.running_containers) : json::value(nullptr)},
         {"last_checked", OptionalJson(s.last_checked)}});
}

boost::asio::awaitable<Response> FleetHandlers::Disk(http::RequestContext& context) const {
    const auto d = co_await fleet.Disk(std::string(context.Param("id")));
    json::array filesystems;
    for (const auto& fs : d.filesystems)
        filesystems.push_back(json::object{{"filesystem", fs.filesystem},
                                           {"mount", fs.mount},
                                           {"size_bytes", fs.size_bytes},
                                           {"used_bytes", fs.used_bytes},
                                           {"available_bytes", fs.available_bytes}});
    co_return http::Json(Status::ok, {{"status", d.status},
                                      {"error_kind", OptionalJson(d.error_kind)},
                                      {"error", OptionalJson(d.error)},
                                      {"filesystems", std::move(filesystems)},
                                      {"last_checked", d.last_checked}});
}

boost::asio::awaitable<Response> FleetHandlers::AcceptHostKey(http::RequestContext& context) const {
    context.audit.action = "server.host_key_accept";
    const auto& body = http::ParseJsonBody(context);
    const auto& fields = RequireObject(body);
    OnlyFields(fields, {"fingerprint"});
    auto fingerprint = RequireString(fields, "fingerprint", 64);
    const auto [old_key, new_key] =
        co_await fleet.AcceptHostKey(std::string(context.Param("id")), std::move(fingerprint));
    monitor.Forget(std::string(context.Param("id")));  // a via_ssh forward to the old host goes
    context.audit.details = {{"old", OptionalJson(old_key)}, {"new", new_key}};
    co_return http::Json(Status::ok, {{"old_fingerprint", OptionalJson(old_key)}, {"new_fingerprint", new_key}});
}

boost::asio::awaitable<Response> FleetHandlers::ListKeys(http::RequestContext& context) const {
    auto page = co_await fleet.ListKeys(PageLimit(context), context.Query("cursor").value_or(""));
    json::array items;
    for (const auto& key : page.items) items.push_back(KeyJson(key));
    co_return http::Json(Status::ok, {{"items", std::move(items)}, {"next_cursor", OptionalJson(page.next_cursor)}});
}

boost::asio::awaitable<Response> FleetHandlers::GenerateKey(http::RequestContext& context) const {
    context.audit.action = "ssh_key.generate";
    const auto& body = http::ParseJsonBody(context);
    const auto& fields = RequireObject(body);
    OnlyFields(fields, {"name", "type", "bits", "comment"});
    auto name = RequireString(fields, "name", 200);
    auto type = RequireString(fields, "type", 16);
    const auto* given_bits = fields.if_contains("bits");
    if (type != "rsa" && given_bits != nullptr && !given_bits->is_null())
        throw core::Error(core::errc::invalid_argument,
                          "field 'bits' is for rsa keys only (" + type + " has one size)");
    const int bits = IntField(fields, "bits", type == "rsa" ? 3072 : 256);
    auto comment = OptionalString(fields, "comment", 1024).value_or("");
    auto key = co_await fleet.GenerateKey(std::move(name), std::move(type), bits, std::move(comment));
    context.audit.resource_type = "ssh_key";
    context.audit.resource_id = key.id;
    context.audit.details = {{"type", key.type}, {"fingerprint", key.fingerprint}};
    co_return http::Created(KeyJson(key), "/api/v1/ssh-keys/" + key.id);
}

boost::asio::awaitable<Response> FleetHandlers::ImportKey(http::RequestContext& context) const {
    context.audit.action = "ssh_key.import";
    fleet::ImportInput input;
    const auto content_type = context.Header("Content-Type");
    if (auto parts = ParseMultipart(content_type, context.request.body())) {
        auto get = [&](const char* name) -> std::optional<std::string> {
            const auto it = parts->find(name);
            if (it == parts->end() || it->second.empty()) return std::nullopt;
            return it->second;
        };
        input.name = get("name").value_or("");
        input.passphrase = get("passphrase");
        input.comment = get("comment");
        input.public_key = get("public_key");
        input.private_key = get("private_key");
        if (auto file = get("file")) {
            // An uploaded file is a public key line or a private key, whichever it looks like.
            const bool is_private = file->find("PRIVATE KEY") != std::string::npos;
            (is_private ? input.private_key : input.public_key) = std::move(*file);
        }
    } else if (core::IEquals(content_type.substr(0, content_type.find(';')), "multipart/form-data")) {
        throw core::Error(core::errc::invalid_argument, "malformed multipart/form-data body");
    } else {
        const auto& body = http::ParseJsonBody(context);
        const auto& fields = RequireObject(body);
        OnlyFields(fields, {"name", "private_key", "passphrase", "public_key", "comment"});
        input.name = RequireString(fields, "name", 200);
        input.private_key = OptionalString(fields, "private_key", 4 * 1024 * 1024);
        input.passphrase = OptionalString(fields, "passphrase", 1024);
        input.public_key = OptionalString(fields, "public_key", 4 * 1024 * 1024);
        input.comment = OptionalString(fields, "comment", 1024);
    }
    auto key = co_await fleet.ImportKey(std::move(input));
    context.audit.resource_type = "ssh_key";
    context.audit.resource_id = key.id;
    context.audit.details = {{"type", key.type}, {"fingerprint", key.fingerprint}};
    co_return http::Created(KeyJson(key), "/api/v1/ssh-keys/" + key.id);
}

boost::asio::awaitable<Response> FleetHandlers::GetKey(http::RequestContext& context) const {
    co_return http::Json(Status::ok, KeyJson(co_await fleet.GetKey(std::string(context.Param("id")))));
}

boost::asio::awaitable<Response> FleetHandlers::PatchKey(http::RequestContext& context) const {
    context.audit.action = "ssh_key.update";
    const auto& body = http::ParseJsonBody(context);
    const auto& fields = RequireObject(body);
    OnlyFields(fields, {"name", "comment"});
    const std::string id(context.Param("id"));
    const auto before = KeyJson(co_await fleet.GetKey(id));
    auto key = KeyJson(
        co_await fleet.PatchKey(id, OptionalString(fields, "name", 200), OptionalString(fields, "comment", 1024)));
    context.audit.details["changes"] = audit::Changes::Between(before, key).fields();
    co_return http::Json(Status::ok, key);
}

boost::asio::awaitable<Response> FleetHandlers::DeleteKey(http::RequestContext& context) const {
    context.audit.action = "ssh_key.delete";
    co_await fleet.DeleteKey(std::string(context.Param("id")), context.Query("force").value_or("") == "true");
    co_return NoContent();
}

boost::asio::awaitable<Response> FleetHandlers::PublicKey(http::RequestContext& context) const {
    const auto key = co_await fleet.GetKey(std::string(context.Param("id")));
    Response response{Status::ok, 11};
    response.set(http::beast_http::field::content_type, "text/plain; charset=utf-8");
    std::string file_name;
    for (char ch : key.name)
        file_name += std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' ? ch : '_';
    response.set(http::beast_http::field::content_disposition, "attachment; filename=\"" + file_name + ".pub\"");
    response.body() = key.public_key + "\n";
    co_return response;
}

boost::asio::awaitable<Response> FleetHandlers::KeyServers(http::RequestContext& context) const {
    const auto servers = co_await fleet.ServersUsingKey(std::string(context.Param("id")));
    json::array items;
    for (const auto& server : servers) items.push_back(ServerJson(server));
    co_return http::Json(Status::ok, {{"items", std::move(items)}, {"next_cursor", nullptr}});
}

}  // namespace gatehouse::api
