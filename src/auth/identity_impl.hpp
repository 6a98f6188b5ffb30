#pragma once
// Shared by the identity service's .cpp files only.

#include <mutex>
#include <unordered_map>

#include "auth/auth_view.hpp"
#include "auth/identity_service.hpp"
#include "auth/identity_store.hpp"
#include "core/errc.hpp"
#include "store/paging.hpp"

namespace gatehouse::auth {

/// When API tokens were last used, written in batches instead of on every request.
struct TokenUse {
    std::mutex mutex;
    std::unordered_map<std::string, core::Clock::time_point> last_used;  // token id -> time, not written yet
};

struct IdentityService::Impl {
    store::Database& db;
    core::WorkerPool& passwords;
    const PasswordHasher& hasher;
    JwtCodec jwt;
    audit::AuditLog& audit;
    IdentityOptions options;
    AuthView view;
    TokenUse token_use;

    /// Inside a write transaction: a new refresh token in `family_id` and an access token.
    LoginResult IssueTokens(store::Connection& c, const store_sql::UserRecord& user,
                            const std::string& family_id) const;

    /// Inside an auth-changing transaction: bumps the auth epoch and returns it.
    std::int64_t Bump(store::Connection& c) const { return store_sql::BumpAuthEpoch(c); }
    /// Inside the same transaction: tells the other instances what changed (delivered at commit).
    void Announce(store::Connection& c, std::int64_t version, char kind, std::string_view key,
                  std::int64_t extra = 0) const;

    /// The view may serve requests: synced recently enough (else requests read the store).
    bool ViewFresh() const { return view.Fresh(options.view_max_age); }
};

UserView ToView(const store_sql::UserRecord& user);
UserView ToView(const UserEntry& user);
/// Revokes every session, access token and API token of the user (password change, disable); `version` is the
/// auth epoch of the change.
void RevokeEverything(store::Connection& c, store_sql::UserRecord& user, std::int64_t version);

/// An auth change as it is announced to other instances: "instance|version|kind|key|extra".
struct AuthChange {
    std::string instance;
    std::int64_t version = 0;
    char kind = 0;  // 'u' user, 't' API token (by id), 'j' denied jti, 'f' revoked family
    std::string key;
    std::int64_t extra = 0;  // expiry of a jti, end of a family's revocation
};
std::string FormatChange(const AuthChange& change);
std::optional<AuthChange> ParseChange(std::string_view payload);

inline core::Error BadCredentials() {
    // One message for every reason, so a caller learns nothing about which part was wrong.
    return core::Error(core::errc::unauthenticated, "invalid credentials or expired session");
}

/// Checks a list cursor (an id we handed out) and returns it.
using store::CheckCursor;

}  // namespace gatehouse::auth
