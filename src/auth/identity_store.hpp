#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "auth/auth_view.hpp"
#include "store/database.hpp"

namespace gatehouse::auth::store_sql {

using store::Connection;

struct UserRecord {
    std::string id;
    std::string username;
    std::string password_hash;
    std::string role;
    bool disabled = false;
    std::int64_t token_generation = 0;
    std::string created_at;
    std::string updated_at;
    std::int64_t auth_version = 0;  // the auth epoch of the last change
};

std::optional<UserRecord> FindUserByName(Connection& c, std::string_view username);
std::optional<UserRecord> FindUserById(Connection& c, std::string_view id);
/// Throws core::Error(already_exists) when the name is taken (case-insensitively).
void InsertUser(Connection& c, const UserRecord& user);
/// `role` and `disabled`, when given, narrow the list.
std::vector<UserRecord> ListUsers(Connection& c, std::string_view after_id, std::size_t limit,
                                  const std::optional<std::string>& role = std::nullopt,
                                  std::optional<bool> disabled = std::nullopt);
void UpdateUser(Connection& c, const UserRecord& user);
void DeleteUser(Connection& c, std::string_view id);
std::int64_t CountActiveAdmins(Connection& c);
std::int64_t CountUsers(Connection& c);
/// Admins, disabled ones included.
std::int64_t CountAdmins(Connection& c);

struct RefreshRecord {
    std::string id;
    std::string family_id;
    std::string user_id;
    std::string token_hash;
    std::int64_t expires_epoch = 0;
    bool used = false;
    bool revoked = false;
};

std::optional<RefreshRecord> FindRefresh(Connection& c, std::string_view token_hash);
void InsertRefresh(Connection& c, const RefreshRecord& record);
/// Marks a refresh token used; false when it was already used (a concurrent refresh won).
bool MarkRefreshUsed(Connection& c, std::string_view id);
void RevokeFamily(Connection& c, std::string_view family_id);
void RevokeUserSessions(Connection& c, std::string_view user_id);
/// The refresh families of `user_id` that still have a live refresh token.
std::vector<std::string> LiveFamiliesOf(Connection& c, std::string_view user_id);
void DenyJti(Connection& c, std::string_view jti, std::int64_t expires_epoch);
/// Remembers a revoked family until `until_epoch`, when every access token issued from it has expired.
void RecordRevokedFamily(Connection& c, std::string_view family_id, std::int64_t until_epoch);
void PurgeExpired(Connection& c, std::int64_t now_epoch);

/// What every authenticated request must re-check: the user as it is now, and whether this
/// access token or its refresh family was revoked.
struct AuthState {
    UserRecord user;
    bool jti_denied = false;
    bool family_revoked = false;
};
std::optional<AuthState> LoadAuthState(Connection& c, std::string_view user_id, std::string_view jti,
                                       std::string_view family_id);

struct ApiTokenRecord {
    std::string id;
    std::string user_id;
    std::string name;
    std::string role;
    std::string prefix;
    std::string token_hash;
    std::string created_at;
    std::optional<std::string> expires_at;
    std::optional<std::int64_t> expires_epoch;
    std::optional<std::string> last_used_at;
    bool revoked = false;
    std::int64_t auth_version = 0;
};

void InsertApiToken(Connection& c, const ApiTokenRecord& token);
std::optional<ApiTokenRecord> FindApiTokenByHash(Connection& c, std::string_view token_hash);
std::optional<ApiTokenRecord> FindApiToken(Connection& c, std::string_view id);
/// `user_id` empty: every user's tokens. Revoked tokens are left out.
std::vector<ApiTokenRecord> ListApiTokens(Connection& c, std::string_view user_id, std::string_view after_id,
                                          std::size_t limit);
void TouchApiToken(Connection& c, std::string_view id, std::string_view now);
/// Revocation inside an auth change: the token (or every token of the user) gets `version`.
void RevokeApiToken(Connection& c, std::string_view id, std::int64_t version);
void RevokeUserApiTokens(Connection& c, std::string_view user_id, std::int64_t version);

/// The auth epoch: one dense counter that every change of the auth state bumps in its own transaction.
std::int64_t BumpAuthEpoch(Connection& c);
std::int64_t ReadAuthEpoch(Connection& c);
/// PostgreSQL: tells every listening instance at commit (NOTIFY gatehouse_auth). SQLite: nothing.
void NotifyAuthChange(Connection& c, std::string_view payload);
inline constexpr std::string_view kAuthChannel = "gatehouse_auth";

UserEntry ToEntry(const UserRecord& user);
ApiTokenEntry ToEntry(const ApiTokenRecord& token);
std::vector<ApiTokenEntry> ApiTokensOf(Connection& c, std::string_view user_id);
/// Everything the auth view holds, read after the epoch it returns (see AuthView::Merge).
AuthSnapshot ReadAuthSnapshot(Connection& c, std::int64_t now_epoch);

}  // namespace gatehouse::auth::store_sql
