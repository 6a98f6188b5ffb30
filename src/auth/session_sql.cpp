#include "auth/identity_store.hpp"
#include "core/time.hpp"

namespace gatehouse::auth::store_sql {

std::optional<RefreshRecord> FindRefresh(Connection& c, std::string_view token_hash) {
    const auto result = c.Execute(
        "SELECT id, family_id, user_id, token_hash, expires_epoch, used, revoked FROM refresh_tokens WHERE token_hash "
        "= ?",
        {store::Text(token_hash)});
    if (result.empty()) return std::nullopt;
    const auto& r = result.rows.front();
    return RefreshRecord{r.String(0), r.String(1), r.String(2), r.String(3), r.Int(4), r.Bool(5), r.Bool(6)};
}

void InsertRefresh(Connection& c, const RefreshRecord& r) {
    c.Execute(
        "INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, created_at, expires_epoch, used, revoked) "
        "VALUES (?, ?, ?, ?, ?, ?, 0, 0)",
        {store::Text(r.id), store::Text(r.family_id), store::Text(r.user_id), store::Text(r.token_hash),
         store::Text(core::NowRfc3339()), store::Value(r.expires_epoch)});
}

bool MarkRefreshUsed(Connection& c, std::string_view id) {
    return c.Execute("UPDATE refresh_tokens SET used = 1 WHERE id = ? AND used = 0", {store::Text(id)}).affected == 1;
}

void RevokeFamily(Connection& c, std::string_view family_id) {
    c.Execute("UPDATE refresh_tokens SET revoked = 1 WHERE family_id = ?", {store::Text(family_id)});
}

void RevokeUserSessions(Connection& c, std::string_view user_id) {
    c.Execute("UPDATE refresh_tokens SET revoked = 1 WHERE user_id = ?", {store::Text(user_id)});
}

std::vector<std::string> LiveFamiliesOf(Connection& c, std::string_view user_id) {
    std::vector<std::string> families;
    for (const auto& row : c.Execute("SELECT DISTINCT family_id FROM refresh_tokens WHERE user_id = ? AND revoked = 0",
                                     {store::Text(user_id)})
                               .rows)
        families.push_back(row.String(0));
    return families;
}

void DenyJti(Connection& c, std::string_view jti, std::int64_t expires_epoch) {
    if (!c.Execute("SELECT 1 FROM revoked_jtis WHERE jti = ?", {store::Text(jti)}).empty()) return;
    c.Execute("INSERT INTO revoked_jtis (jti, expires_epoch) VALUES (?, ?)",
              {store::Text(jti), store::Value(expires_epoch)});
}

void RecordRevokedFamily(Connection& c, std::string_view family_id, std::int64_t until_epoch) {
    c.Execute(
        "INSERT INTO revoked_families (family_id, until_epoch) VALUES (?, ?) ON CONFLICT (family_id) DO UPDATE "
        "SET until_epoch = excluded.until_epoch",
        {store::Text(family_id), store::Value(until_epoch)});
}

void PurgeExpired(Connection& c, std::int64_t now_epoch) {
    c.Execute("DELETE FROM revoked_jtis WHERE expires_epoch < ?", {store::Value(now_epoch)});
    c.Execute("DELETE FROM revoked_families WHERE until_epoch < ?", {store::Value(now_epoch)});
    // Expired families are kept while any member is unexpired, so reuse detection still works.
    c.Execute("DELETE FROM refresh_tokens WHERE expires_epoch < ?", {store::Value(now_epoch)});
}

}  // namespace gatehouse::auth::store_sql
