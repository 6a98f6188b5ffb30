#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.hpp"
#include "auth/auth_view.hpp"
#include "auth/jwt.hpp"
#include "auth/login_throttle.hpp"
#include "auth/password.hpp"
#include "auth/principal.hpp"
#include "core/time.hpp"
#include "core/worker_pool.hpp"
#include "store/database.hpp"

namespace gatehouse::auth {

struct IdentityOptions {
    int access_ttl_s = 15 * 60;
    int refresh_ttl_s = 14 * 24 * 3600;
    bool registration_enabled = false;
    std::string instance_id;  // names this process in the changes it announces to others
    /// Requests are checked against the in-memory view while it was synced this recently; else against the store.
    std::chrono::milliseconds view_max_age{5000};
    ThrottleOptions throttle;
};

struct ClientInfo {
    std::string ip;
    std::string user_agent;
    std::string request_id;
    std::string device;  // the device cookie the client sent (login throttling), if any
};

struct UserView {
    std::string id;
    std::string username;
    Role role = Role::viewer;
    bool disabled = false;
    std::string created_at;
    std::string updated_at;
};

struct LoginResult {
    std::string access_token;
    int expires_in = 0;
    std::string refresh_token;
    int refresh_max_age = 0;
    UserView user;
    std::string device;  // a device cookie after a password login (see LoginThrottle)
};

struct UserPatch {
    std::optional<Role> role;
    std::optional<bool> disabled;
    std::optional<std::string> password;
};

struct UserPage {
    std::vector<UserView> items;
    std::optional<std::string> next_cursor;
};

struct ApiTokenView {
    std::string id;
    std::string user_id;
    std::string name;
    Role role = Role::viewer;
    std::string prefix;
    std::string created_at;
    std::optional<std::string> expires_at;
    std::optional<std::string> last_used_at;
    std::string token;  // only set right after creation
    /// What the token may do now: its role capped by its user's current one; none while the user is disabled.
    std::optional<Role> effective_role;
};

struct ApiTokenPage {
    std::vector<ApiTokenView> items;
    std::optional<std::string> next_cursor;
};

/// Users, sessions, access and API tokens. All methods are called from coroutines on an I/O
/// executor; database work runs on the store's pools and password hashing on `passwords`, a small bounded pool
/// (a full one answers unavailable). Expected failures are thrown as core::Error: unauthenticated (bad
/// credentials, revoked or expired tokens: one message for all), forbidden, not_found, already_exists, conflict
/// (last admin), invalid_argument, rate_limited (too many password checks), unavailable.
///
/// Authenticated requests are checked against an in-memory view of the auth state (AuthView), updated by every
/// change this process makes right after its commit and by AuthSync for the changes of other processes; while the
/// view is not fresh, against the store.
class IdentityService {
  public:
    IdentityService(store::Database& database, core::WorkerPool& passwords, const PasswordHasher& hasher, JwtCodec jwt,
                    audit::AuditLog& audit, IdentityOptions options);

    const IdentityOptions& options() const noexcept { return options_; }
    AuthView& view() noexcept;
    LoginThrottle& throttle() noexcept;

    /// rate_limited (with the seconds to wait in the message) when the throttle says so.
    boost::asio::awaitable<LoginResult> Login(std::string username, std::string password, ClientInfo client);
    boost::asio::awaitable<LoginResult> Refresh(std::string refresh_token, ClientInfo client);
    /// Revokes the refresh family of `principal` and of `refresh_token` and denies the access token.
    boost::asio::awaitable<void> Logout(std::optional<Principal> principal, std::optional<std::string> refresh_token);
    boost::asio::awaitable<Principal> Authenticate(std::string bearer);
    /// The caller's effective role as it is now, or nullopt once its credential was revoked (logout, disabling,
    /// a password change, a reused refresh token, a revoked API token). From the view only: never blocks; while
    /// the view is not fresh, the role the principal was admitted with.
    std::optional<Role> CurrentRole(const Principal& principal) const;
    boost::asio::awaitable<UserView> Register(std::string username, std::string password, ClientInfo client);

    /// `role` and `disabled`, when given, narrow the list.
    boost::asio::awaitable<UserPage> ListUsers(std::size_t limit, std::string cursor,
                                               std::optional<Role> role = std::nullopt,
                                               std::optional<bool> disabled = std::nullopt);
    boost::asio::awaitable<UserView> CreateUser(std::string username, std::string password, Role role);
    boost::asio::awaitable<UserView> GetUser(std::string id);
    boost::asio::awaitable<UserView> UpdateUser(std::string id, UserPatch patch);
    boost::asio::awaitable<void> DeleteUser(std::string id);
    /// The current password is a password check: throttled like a login (rate_limited), forbidden when wrong. The
    /// caller's other sessions end (their refresh families and access tokens); the session making the change goes
    /// on; API tokens stay unless `revoke_api_tokens`.
    boost::asio::awaitable<void> ChangeOwnPassword(Principal principal, std::string current, std::string replacement,
                                                   ClientInfo client, bool revoke_api_tokens = false);

    /// A token never out-ranks or outlives what created it: its role is at most the caller's effective role, and
    /// when the caller is itself an API token, it expires no later than that token (and by then when no expiry is
    /// asked for).
    boost::asio::awaitable<ApiTokenView> CreateApiToken(Principal principal, std::string name, std::optional<Role> role,
                                                        std::optional<core::Clock::time_point> expires);
    boost::asio::awaitable<ApiTokenPage> ListApiTokens(Principal principal, bool all, std::size_t limit,
                                                       std::string cursor);
    boost::asio::awaitable<void> RevokeApiToken(Principal principal, std::string id);

    /// Blocking, for start-up: creates `admin` when there is no admin at all. Returns the
    /// generated password when none was given (to be shown once), nullopt otherwise.
    std::optional<std::string> EnsureInitialAdmin(const std::optional<std::string>& password);
    /// Blocking helpers for the CLI (`gatehouse user ...`).
    UserView CreateUserBlocking(const std::string& username, const std::string& password, Role role);
    void SetPasswordBlocking(const std::string& username, const std::string& password);
    void SetDisabledBlocking(const std::string& username, bool disabled);
    void SetRoleBlocking(const std::string& username, Role role);
    void DeleteUserBlocking(const std::string& username);
    std::vector<UserView> ListUsersBlocking();

    /// Deletes expired refresh tokens and denylist entries (scheduler job).
    boost::asio::awaitable<void> PurgeExpired();
    /// Writes when API tokens were last used (scheduler job; kept in memory between runs).
    boost::asio::awaitable<void> FlushTokenUse();
    void FlushTokenUseBlocking();

    struct Impl;

  private:
    std::shared_ptr<Impl> impl_;
    IdentityOptions options_;
    std::unique_ptr<LoginThrottle> throttle_;
};

/// Input rules shared by the API and the CLI; throw core::Error(invalid_argument).
void ValidateUsername(std::string_view username);
void ValidatePassword(std::string_view password);

}  // namespace gatehouse::auth
