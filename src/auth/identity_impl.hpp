#pragma once
// Shared by the identity service's .cpp files only.

#include "auth/identity_service.hpp"
#include "auth/identity_store.hpp"
#include "core/errc.hpp"
#include "store/paging.hpp"

namespace gatehouse::auth {

struct IdentityService::Impl {
    store::Database& db;
    core::WorkerPool& cpu;
    const PasswordHasher& hasher;
    JwtCodec jwt;
    audit::AuditLog& audit;
    IdentityOptions options;

    /// Inside a write transaction: a new refresh token in `family_id` and an access token.
    LoginResult IssueTokens(store::Connection& c, const store_sql::UserRecord& user,
                            const std::string& family_id) const;
};

std::int64_t NowEpoch();
UserView ToView(const store_sql::UserRecord& user);
/// Revokes every session, access token and API token of the user (password change, disable).
void RevokeEverything(store::Connection& c, store_sql::UserRecord& user);

inline core::Error BadCredentials() {
    // One message for every reason, so a caller learns nothing about which part was wrong.
    return core::Error(core::errc::unauthenticated, "invalid credentials or expired session");
}

/// Checks a list cursor (an id we handed out) and returns it.
using store::CheckCursor;

}  // namespace gatehouse::auth
