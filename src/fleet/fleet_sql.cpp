#include "fleet/fleet_sql.hpp"

#include <boost/json/parse.hpp>

#include "core/json_text.hpp"
#include "store/where.hpp"

namespace gatehouse::fleet::sql {
namespace {

using store::Nullable;
using store::Text;
using store::Value;

constexpr std::string_view kKeyColumns =
    "id, name, type, bits, fingerprint, comment, public_key, has_private_key, created_at, updated_at";
constexpr std::string_view kServerColumns =
    "id, name, address, ssh_port, ssh_user, auth_method, ssh_key_id, has_password, host_key_fingerprint, "
    "pending_host_key_fingerprint, tags, description, postgres, status, last_checked, created_at, updated_at, "
    "credentials_locked";

KeyView ToKey(const store::Row& r) {
    return KeyView{r.String(0), r.String(1), r.String(2), static_cast<int>(r.Int(3)),
                   r.String(4), r.String(5), r.String(6), r.Bool(7),
                   r.String(8), r.String(9)};
}

std::string TagsJson(const std::vector<std::string>& tags) {
    boost::json::array array;
    for (const auto& tag : tags) array.emplace_back(tag);
    return core::JsonText(array);
}

std::vector<std::string> ParseTags(const std::string& text) {
    std::vector<std::string> tags;
    boost::system::error_code ec;
    const auto value = boost::json::parse(text, ec);
    if (ec || !value.is_array()) return tags;
    for (const auto& tag : value.as_array())
        if (tag.is_string()) tags.emplace_back(tag.as_string());
    return tags;
}

std::optional<std::string> PostgresJson(const std::optional<PostgresEndpoint>& pg) {
    if (!pg) return std::nullopt;
    boost::json::value host = nullptr;
    if (pg->host) host = *pg->host;
    return core::JsonText(boost::json::object{{"host", std::move(host)},
                                              {"port", pg->port},
                                              {"sslmode", pg->sslmode},
                                              {"via_ssh", pg->via_ssh},
                                              {"user", pg->user},
                                              {"database", pg->database},
                                              {"pool_class", pg->pool_class},
                                              {"has_password", pg->has_password},
                                              {"password_locked", pg->password_locked}});
}

std::optional<PostgresEndpoint> ParsePostgres(const std::optional<std::string>& text) {
    if (!text) return std::nullopt;
    boost::system::error_code ec;
    const auto value = boost::json::parse(*text, ec);
    if (ec || !value.is_object()) return std::nullopt;
    const auto& o = value.as_object();
    PostgresEndpoint pg;
    if (const auto* v = o.if_contains("host"); v && v->is_string()) pg.host = std::string(v->as_string());
    if (const auto* v = o.if_contains("port"); v && v->is_int64()) pg.port = static_cast<int>(v->as_int64());
    if (const auto* v = o.if_contains("sslmode"); v && v->is_string()) pg.sslmode = std::string(v->as_string());
    if (const auto* v = o.if_contains("via_ssh"); v && v->is_bool()) pg.via_ssh = v->as_bool();
    if (const auto* v = o.if_contains("user"); v && v->is_string()) pg.user = std::string(v->as_string());
    if (const auto* v = o.if_contains("database"); v && v->is_string()) pg.database = std::string(v->as_string());
    if (const auto* v = o.if_contains("pool_class"); v && v->is_string()) pg.pool_class = std::string(v->as_string());
    if (const auto* v = o.if_contains("has_password"); v && v->is_bool()) pg.has_password = v->as_bool();
    if (const auto* v = o.if_contains("password_locked"); v && v->is_bool()) pg.password_locked = v->as_bool();
    return pg;
}

ServerView ToServer(const store::Row& r) {
    ServerView s;
    s.id = r.String(0);
    s.name = r.String(1);
    s.address = r.String(2);
    s.ssh_port = static_cast<int>(r.Int(3));
    s.ssh_user = r.String(4);
    s.auth_method = r.String(5);
    s.ssh_key_id = r.OptString(6);
    s.has_password = r.Bool(7);
    s.host_key_fingerprint = r.OptString(8);
    s.pending_host_key_fingerprint = r.OptString(9);
    s.tags = ParseTags(r.String(10));
    s.description = r.String(11);
    s.postgres = ParsePostgres(r.OptString(12));
    s.status = r.String(13);
    s.last_checked = r.OptString(14);
    s.created_at = r.String(15);
    s.updated_at = r.String(16);
    s.credentials_locked = r.Bool(17);
    return s;
}

template <class T, class F>
std::vector<T> All(const store::ResultSet& result, F convert) {
    std::vector<T> items;
    for (const auto& row : result.rows) items.push_back(convert(row));
    return items;
}

}  // namespace

std::optional<KeyView> FindKey(Connection& c, std::string_view id) {
    const auto r = c.Execute("SELECT " + std::string(kKeyColumns) + " FROM ssh_keys WHERE id = ?", {Text(id)});
    if (r.empty()) return std::nullopt;
    return ToKey(r.rows.front());
}

std::vector<KeyView> ListKeys(Connection& c, std::string_view after_id, std::size_t limit) {
    return All<KeyView>(
        c.Execute("SELECT " + std::string(kKeyColumns) + " FROM ssh_keys WHERE id > ? ORDER BY id LIMIT ?",
                  {Text(after_id), Value(static_cast<std::int64_t>(limit))}),
        ToKey);
}

std::optional<KeyView> FindKeyByFingerprint(Connection& c, std::string_view fingerprint) {
    const auto r =
        c.Execute("SELECT " + std::string(kKeyColumns) + " FROM ssh_keys WHERE fingerprint = ?", {Text(fingerprint)});
    if (r.empty()) return std::nullopt;
    return ToKey(r.rows.front());
}

void InsertKey(Connection& c, const KeyView& k) {
    c.Execute(
        "INSERT INTO ssh_keys (" + std::string(kKeyColumns) + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {Text(k.id), Text(k.name), Text(k.type), Value(std::int64_t{k.bits}), Text(k.fingerprint), Text(k.comment),
         Text(k.public_key), store::Bool(k.has_private_key), Text(k.created_at), Text(k.updated_at)});
}

void UpdateKey(Connection& c, const KeyView& k) {
    c.Execute("UPDATE ssh_keys SET name = ?, comment = ?, public_key = ?, updated_at = ? WHERE id = ?",
              {Text(k.name), Text(k.comment), Text(k.public_key), Text(k.updated_at), Text(k.id)});
}

void DeleteKey(Connection& c, std::string_view id) { c.Execute("DELETE FROM ssh_keys WHERE id = ?", {Text(id)}); }

std::optional<ServerView> FindServer(Connection& c, std::string_view id) {
    const auto r = c.Execute("SELECT " + std::string(kServerColumns) + " FROM servers WHERE id = ?", {Text(id)});
    if (r.empty()) return std::nullopt;
    return ToServer(r.rows.front());
}

std::optional<ServerView> FindServerByIdOrName(Connection& c, std::string_view id_or_name) {
    if (auto server = FindServer(c, id_or_name)) return server;
    const auto r =
        c.Execute("SELECT " + std::string(kServerColumns) + " FROM servers WHERE name = ?", {Text(id_or_name)});
    if (r.empty()) return std::nullopt;
    return ToServer(r.rows.front());
}

std::vector<ServerView> ListServers(Connection& c, std::string_view after_id, std::size_t limit,
                                    const ServerFilter& filter) {
    store::Where where;
    where.Add("id > ?", {Text(after_id)});
    // tags holds a JSON array of strings whose characters need no JSON escaping (validation.cpp).
    if (filter.tag) where.Add("tags LIKE ? ESCAPE '\\'", {Text("%\"" + store::LikeLiteral(*filter.tag) + "\"%")});
    if (filter.status) where.Add("status = ?", {Text(*filter.status)});
    if (filter.q) {
        std::string lowered = *filter.q;
        for (char& ch : lowered) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        const auto pattern = Text("%" + store::LikeLiteral(lowered) + "%");
        where.Add(
            "(LOWER(name) LIKE ? ESCAPE '\\' OR LOWER(address) LIKE ? ESCAPE '\\' OR "
            "LOWER(description) LIKE ? ESCAPE '\\')",
            {pattern, pattern, pattern});
    }
    where.params.emplace_back(static_cast<std::int64_t>(limit));
    const std::string sql =
        "SELECT " + std::string(kServerColumns) + " FROM servers" + where.sql + " ORDER BY id LIMIT ?";
    return All<ServerView>(c.Execute(sql, where.params), ToServer);
}

std::vector<ServerView> ServersUsingKey(Connection& c, std::string_view key_id) {
    return All<ServerView>(
        c.Execute("SELECT " + std::string(kServerColumns) + " FROM servers WHERE ssh_key_id = ? ORDER BY id",
                  {Text(key_id)}),
        ToServer);
}

void InsertServer(Connection& c, const ServerView& s) {
    c.Execute("INSERT INTO servers (" + std::string(kServerColumns) +
                  ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              {Text(s.id), Text(s.name), Text(s.address), Value(std::int64_t{s.ssh_port}), Text(s.ssh_user),
               Text(s.auth_method), Nullable(s.ssh_key_id), store::Bool(s.has_password),
               Nullable(s.host_key_fingerprint), Nullable(s.pending_host_key_fingerprint), Text(TagsJson(s.tags)),
               Text(s.description), Nullable(PostgresJson(s.postgres)), Text(s.status), Nullable(s.last_checked),
               Text(s.created_at), Text(s.updated_at), store::Bool(s.credentials_locked)});
}

void UpdateServer(Connection& c, const ServerView& s) {
    c.Execute(
        "UPDATE servers SET name = ?, address = ?, ssh_port = ?, ssh_user = ?, auth_method = ?, ssh_key_id = ?, "
        "has_password = ?, host_key_fingerprint = ?, pending_host_key_fingerprint = ?, tags = ?, description = ?, "
        "postgres = ?, credentials_locked = ?, updated_at = ? WHERE id = ?",
        {Text(s.name), Text(s.address), Value(std::int64_t{s.ssh_port}), Text(s.ssh_user), Text(s.auth_method),
         Nullable(s.ssh_key_id), store::Bool(s.has_password), Nullable(s.host_key_fingerprint),
         Nullable(s.pending_host_key_fingerprint), Text(TagsJson(s.tags)), Text(s.description),
         Nullable(PostgresJson(s.postgres)), store::Bool(s.credentials_locked), Text(s.updated_at), Text(s.id)});
}

void DeleteServer(Connection& c, std::string_view id) { c.Execute("DELETE FROM servers WHERE id = ?", {Text(id)}); }

std::int64_t CountAppsOn(Connection& c, std::string_view server_id) {
    return c.Execute("SELECT COUNT(*) FROM apps WHERE server_id = ?", {Text(server_id)}).rows.front().Int(0);
}

void DetachKey(Connection& c, std::string_view key_id) {
    c.Execute("UPDATE servers SET ssh_key_id = NULL WHERE ssh_key_id = ?", {Text(key_id)});
}

void SetHostKeys(Connection& c, std::string_view id, const std::optional<std::string>& pinned,
                 const std::optional<std::string>& pending) {
    c.Execute("UPDATE servers SET host_key_fingerprint = ?, pending_host_key_fingerprint = ? WHERE id = ?",
              {Nullable(pinned), Nullable(pending), Text(id)});
}

void SetCredentialsLocked(Connection& c, std::string_view id, bool locked) {
    c.Execute("UPDATE servers SET credentials_locked = ? WHERE id = ?", {store::Bool(locked), Text(id)});
}

void SetStatus(Connection& c, std::string_view id, std::string_view status, std::string_view checked_at) {
    c.Execute("UPDATE servers SET status = ?, last_checked = ? WHERE id = ?",
              {Text(status), Text(checked_at), Text(id)});
}

}  // namespace gatehouse::fleet::sql
