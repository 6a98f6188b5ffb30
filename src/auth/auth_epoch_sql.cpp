// The auth epoch and the full read of the auth state that the in-memory view is loaded from.
#include "auth/identity_store.hpp"

namespace gatehouse::auth::store_sql {

std::int64_t BumpAuthEpoch(Connection& c) {
    // The row lock serialises auth changes, so epochs commit in order and without gaps.
    return c.Execute("UPDATE auth_epoch SET version = version + 1 WHERE id = 1 RETURNING version").rows.at(0).Int(0);
}

std::int64_t ReadAuthEpoch(Connection& c) {
    return c.Execute("SELECT version FROM auth_epoch WHERE id = 1").rows.at(0).Int(0);
}

void NotifyAuthChange(Connection& c, std::string_view payload) {
    if (c.dialect() != store::Dialect::postgres) return;
    c.Execute("SELECT pg_notify(?, ?)", {store::Text(kAuthChannel), store::Text(payload)});
}

UserEntry ToEntry(const UserRecord& u) {
    return UserEntry{u.id,         u.username,         ParseRole(u.role).value_or(Role::viewer),
                     u.disabled,   u.token_generation, u.created_at,
                     u.updated_at, u.auth_version};
}

AuthSnapshot ReadAuthSnapshot(Connection& c, std::int64_t now_epoch) {
    AuthSnapshot snapshot;
    // The epoch first: whatever is read after it reflects at least every change up to it.
    snapshot.version = ReadAuthEpoch(c);
    for (const auto& user : ListUsers(c, "", static_cast<std::size_t>(1) << 30))
        snapshot.users.push_back(ToEntry(user));
    const auto tokens = c.Execute(
        "SELECT id, user_id, name, token_hash, role, expires_epoch, auth_version FROM api_tokens "
        "WHERE revoked = 0 AND (expires_epoch IS NULL OR expires_epoch > ?)",
        {store::Value(now_epoch)});
    for (const auto& r : tokens.rows)
        snapshot.tokens.push_back(ApiTokenEntry{r.String(0), r.String(1), r.String(2), r.String(3),
                                                ParseRole(r.String(4)).value_or(Role::viewer), r.OptInt(5), false,
                                                r.Int(6)});
    for (const auto& r :
         c.Execute("SELECT jti, expires_epoch FROM revoked_jtis WHERE expires_epoch > ?", {store::Value(now_epoch)})
             .rows)
        snapshot.denied_jtis.emplace_back(r.String(0), r.Int(1));
    for (const auto& r : c.Execute("SELECT family_id, until_epoch FROM revoked_families WHERE until_epoch > ?",
                                   {store::Value(now_epoch)})
                             .rows)
        snapshot.revoked_families.emplace_back(r.String(0), r.Int(1));
    return snapshot;
}

}  // namespace gatehouse::auth::store_sql
