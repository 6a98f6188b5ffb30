#include <algorithm>
#include <cctype>

#include "auth/identity_store.hpp"
#include "store/where.hpp"

namespace gatehouse::auth::store_sql {
namespace {

constexpr std::string_view kUserColumns =
    "id, username, password_hash, role, disabled, token_generation, created_at, updated_at, auth_version";

UserRecord ToUser(const store::Row& row) {
    return UserRecord{row.String(0), row.String(1), row.String(2), row.String(3), row.Bool(4),
                      row.Int(5),    row.String(6), row.String(7), row.Int(8)};
}

std::string Key(std::string_view username) {
    std::string key(username);
    std::transform(key.begin(), key.end(), key.begin(), [](unsigned char ch) { return std::tolower(ch); });
    return key;
}

std::optional<UserRecord> First(const store::ResultSet& result) {
    if (result.empty()) return std::nullopt;
    return ToUser(result.rows.front());
}

}  // namespace

std::optional<UserRecord> FindUserByName(Connection& c, std::string_view username) {
    return First(c.Execute("SELECT " + std::string(kUserColumns) + " FROM users WHERE username_key = ?",
                           {store::Text(Key(username))}));
}

std::optional<UserRecord> FindUserById(Connection& c, std::string_view id) {
    return First(c.Execute("SELECT " + std::string(kUserColumns) + " FROM users WHERE id = ?", {store::Text(id)}));
}

void InsertUser(Connection& c, const UserRecord& u) {
    c.Execute(
        "INSERT INTO users (id, username, username_key, password_hash, role, disabled, token_generation, created_at, "
        "updated_at, auth_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {store::Text(u.id), store::Text(u.username), store::Text(Key(u.username)), store::Text(u.password_hash),
         store::Text(u.role), store::Bool(u.disabled), store::Value(u.token_generation), store::Text(u.created_at),
         store::Text(u.updated_at), store::Value(u.auth_version)});
}

std::vector<UserRecord> ListUsers(Connection& c, std::string_view after_id, std::size_t limit,
                                  const std::optional<std::string>& role, std::optional<bool> disabled) {
    store::Where where;
    where.Add("id > ?", {store::Text(after_id)});
    if (role) where.Add("role = ?", {store::Text(*role)});
    if (disabled) where.Add("disabled = ?", {store::Bool(*disabled)});
    where.params.emplace_back(static_cast<std::int64_t>(limit));
    const std::string sql = "SELECT " + std::string(kUserColumns) + " FROM users" + where.sql + " ORDER BY id LIMIT ?";
    const auto result = c.Execute(sql, where.params);
    std::vector<UserRecord> users;
    for (const auto& row : result.rows) users.push_back(ToUser(row));
    return users;
}

void UpdateUser(Connection& c, const UserRecord& u) {
    c.Execute(
        "UPDATE users SET password_hash = ?, role = ?, disabled = ?, token_generation = ?, updated_at = ?, "
        "auth_version = ? WHERE id = ?",
        {store::Text(u.password_hash), store::Text(u.role), store::Bool(u.disabled), store::Value(u.token_generation),
         store::Text(u.updated_at), store::Value(u.auth_version), store::Text(u.id)});
}

void DeleteUser(Connection& c, std::string_view id) { c.Execute("DELETE FROM users WHERE id = ?", {store::Text(id)}); }

std::int64_t CountActiveAdmins(Connection& c) {
    return c.Execute("SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0").rows.at(0).Int(0);
}

std::int64_t CountAdmins(Connection& c) {
    return c.Execute("SELECT COUNT(*) FROM users WHERE role = 'admin'").rows.at(0).Int(0);
}

std::int64_t CountUsers(Connection& c) { return c.Execute("SELECT COUNT(*) FROM users").rows.at(0).Int(0); }

std::optional<AuthState> LoadAuthState(Connection& c, std::string_view user_id, std::string_view jti,
                                       std::string_view family_id) {
    // One round trip per authenticated request: the user, the jti denylist and the family.
    const auto result = c.Execute("SELECT " + std::string(kUserColumns) +
                                      ", (SELECT COUNT(*) FROM revoked_jtis WHERE jti = ?),"
                                      " (SELECT COUNT(*) FROM refresh_tokens WHERE family_id = ? AND revoked = 1)"
                                      " FROM users WHERE id = ?",
                                  {store::Text(jti), store::Text(family_id), store::Text(user_id)});
    if (result.empty()) return std::nullopt;
    const auto& row = result.rows.front();
    return AuthState{ToUser(row), row.Int(9) > 0, row.Int(10) > 0};
}

}  // namespace gatehouse::auth::store_sql
