#include "auth/identity_store.hpp"

namespace gatehouse::auth::store_sql {
namespace {

constexpr std::string_view kColumns =
    "id, user_id, name, role, prefix, token_hash, created_at, expires_at, expires_epoch, last_used_at, revoked, "
    "auth_version";

ApiTokenRecord ToToken(const store::Row& r) {
    return ApiTokenRecord{r.String(0), r.String(1),    r.String(2), r.String(3),    r.String(4), r.String(5),
                          r.String(6), r.OptString(7), r.OptInt(8), r.OptString(9), r.Bool(10),  r.Int(11)};
}

std::optional<ApiTokenRecord> First(const store::ResultSet& result) {
    if (result.empty()) return std::nullopt;
    return ToToken(result.rows.front());
}

}  // namespace

void InsertApiToken(Connection& c, const ApiTokenRecord& t) {
    c.Execute(
        "INSERT INTO api_tokens (" + std::string(kColumns) + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
        {store::Text(t.id), store::Text(t.user_id), store::Text(t.name), store::Text(t.role), store::Text(t.prefix),
         store::Text(t.token_hash), store::Text(t.created_at), store::Nullable(t.expires_at),
         store::Nullable(t.expires_epoch), store::Nullable(t.last_used_at), store::Value(t.auth_version)});
}

std::optional<ApiTokenRecord> FindApiTokenByHash(Connection& c, std::string_view token_hash) {
    return First(c.Execute("SELECT " + std::string(kColumns) + " FROM api_tokens WHERE token_hash = ?",
                           {store::Text(token_hash)}));
}

std::optional<ApiTokenRecord> FindApiToken(Connection& c, std::string_view id) {
    return First(c.Execute("SELECT " + std::string(kColumns) + " FROM api_tokens WHERE id = ? AND revoked = 0",
                           {store::Text(id)}));
}

std::vector<ApiTokenRecord> ListApiTokens(Connection& c, std::string_view user_id, std::string_view after_id,
                                          std::size_t limit) {
    const auto result =
        user_id.empty()
            ? c.Execute("SELECT " + std::string(kColumns) +
                            " FROM api_tokens WHERE revoked = 0 AND id > ? ORDER BY id LIMIT ?",
                        {store::Text(after_id), store::Value(static_cast<std::int64_t>(limit))})
            : c.Execute("SELECT " + std::string(kColumns) +
                            " FROM api_tokens WHERE revoked = 0 AND user_id = ? AND id > ? ORDER BY id LIMIT ?",
                        {store::Text(user_id), store::Text(after_id), store::Value(static_cast<std::int64_t>(limit))});
    std::vector<ApiTokenRecord> tokens;
    for (const auto& row : result.rows) tokens.push_back(ToToken(row));
    return tokens;
}

void RevokeApiToken(Connection& c, std::string_view id, std::int64_t version) {
    c.Execute("UPDATE api_tokens SET revoked = 1, auth_version = ? WHERE id = ?",
              {store::Value(version), store::Text(id)});
}

void RevokeUserApiTokens(Connection& c, std::string_view user_id, std::int64_t version) {
    c.Execute("UPDATE api_tokens SET revoked = 1, auth_version = ? WHERE user_id = ? AND revoked = 0",
              {store::Value(version), store::Text(user_id)});
}

std::vector<ApiTokenEntry> ApiTokensOf(Connection& c, std::string_view user_id) {
    const auto result =
        c.Execute("SELECT " + std::string(kColumns) + " FROM api_tokens WHERE user_id = ?", {store::Text(user_id)});
    std::vector<ApiTokenEntry> tokens;
    for (const auto& row : result.rows) tokens.push_back(ToEntry(ToToken(row)));
    return tokens;
}

ApiTokenEntry ToEntry(const ApiTokenRecord& t) {
    return ApiTokenEntry{
        t.id,      t.user_id,     t.name, t.token_hash, ParseRole(t.role).value_or(Role::viewer), t.expires_epoch,
        t.revoked, t.auth_version};
}

void TouchApiToken(Connection& c, std::string_view id, std::string_view now) {
    c.Execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", {store::Text(now), store::Text(id)});
}

}  // namespace gatehouse::auth::store_sql
