#include "auth/identity_impl.hpp"
#include "core/ids.hpp"

namespace gatehouse::auth {

using namespace store_sql;

void ValidateUsername(std::string_view username) {
    if (username.empty() || username.size() > 64)
        throw core::Error(core::errc::invalid_argument, "username must be 1 to 64 characters");
    for (char ch : username)
        if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '.' && ch != '_' && ch != '-' && ch != '@')
            throw core::Error(core::errc::invalid_argument, "username may contain only letters, digits and . _ - @");
}

void ValidatePassword(std::string_view password) {
    if (password.size() < 8) throw core::Error(core::errc::invalid_argument, "password must be at least 8 characters");
    if (password.size() > 1024) throw core::Error(core::errc::invalid_argument, "password must be at most 1024 bytes");
}

namespace {

UserRecord NewUser(const std::string& username, std::string hash, Role role) {
    const auto now = core::NowRfc3339();
    return UserRecord{core::NewUuidV7(), username, std::move(hash), std::string(RoleName(role)), false, 0, now, now, 0};
}

// Inside the transaction: the user joins the auth state under a new epoch.
void InsertNew(const IdentityService::Impl& impl, store::Connection& c, UserRecord& user) {
    user.auth_version = impl.Bump(c);
    try {
        InsertUser(c, user);
    } catch (const core::Error& e) {
        if (e.code() == core::errc::already_exists)
            throw core::Error(core::errc::already_exists, "username '" + user.username + "' is taken");
        throw;
    }
    impl.Announce(c, user.auth_version, 'u', user.id);
}

// After the commit of a change to `user` (and, when `tokens_revoked`, to all its API tokens).
void Applied(IdentityService::Impl& impl, const UserRecord& user, bool tokens_revoked) {
    impl.view.PutUser(ToEntry(user));
    if (tokens_revoked) impl.view.RevokeTokensOf(user.id, user.auth_version);
    impl.view.Cover(user.auth_version);
}

// Inside the transaction: writes a changed user under a new epoch and announces it.
void SaveChanged(const IdentityService::Impl& impl, store::Connection& c, UserRecord& user, bool revoke_everything) {
    user.auth_version = impl.Bump(c);
    if (revoke_everything) RevokeEverything(c, user, user.auth_version);
    user.updated_at = core::NowRfc3339();
    store_sql::UpdateUser(c, user);
    impl.Announce(c, user.auth_version, 'u', user.id);
}

UserRecord MustFind(store::Connection& c, const std::string& id) {
    auto user = FindUserById(c, id);
    if (!user) throw core::Error(core::errc::not_found, "no such user");
    return *user;
}

// Demoting, disabling or deleting the last active admin would lock everyone out of administration.
void GuardLastAdmin(store::Connection& c, const UserRecord& user, bool loses_admin) {
    if (loses_admin && user.role == "admin" && !user.disabled && CountActiveAdmins(c) <= 1)
        throw core::Error(core::errc::conflict, "the last active admin cannot be demoted, disabled or deleted");
}

}  // namespace

boost::asio::awaitable<UserPage> IdentityService::ListUsers(std::size_t limit, std::string cursor,
                                                            std::optional<Role> role, std::optional<bool> disabled) {
    const std::string after = CheckCursor(cursor);
    std::optional<std::string> role_name;
    if (role) role_name = std::string(RoleName(*role));
    auto users = co_await impl_->db.Read(
        [&](store::Connection& c) { return store_sql::ListUsers(c, after, limit + 1, role_name, disabled); });
    UserPage page;
    for (std::size_t i = 0; i < users.size() && i < limit; ++i) page.items.push_back(ToView(users[i]));
    if (users.size() > limit) page.next_cursor = page.items.back().id;
    co_return page;
}

boost::asio::awaitable<UserView> IdentityService::CreateUser(std::string username, std::string password, Role role) {
    ValidateUsername(username);
    ValidatePassword(password);
    auto& impl = *impl_;
    auto hash = co_await core::Offload(impl.passwords, [&] { return impl.hasher.Hash(password); });
    auto user = NewUser(username, std::move(hash), role);
    co_await impl.db.Write([&](store::Connection& c) { InsertNew(impl, c, user); });
    Applied(impl, user, false);
    co_return ToView(user);
}

boost::asio::awaitable<UserView> IdentityService::Register(std::string username, std::string password,
                                                           ClientInfo client) {
    if (!options_.registration_enabled) throw core::Error(core::errc::not_found, "self-registration is disabled");
    // Hashing is a password check's worth of work: throttled the same way.
    if (const auto wait = throttle_->Admit(PasswordClient{client.ip, {}}, username)) throw core::TooManyAttempts(*wait);
    co_return co_await CreateUser(std::move(username), std::move(password), Role::viewer);
}

boost::asio::awaitable<UserView> IdentityService::GetUser(std::string id) {
    if (impl_->ViewFresh()) {
        if (const auto user = impl_->view.User(id)) co_return ToView(*user);
    }
    auto user = co_await impl_->db.Read([&](store::Connection& c) { return MustFind(c, id); });
    co_return ToView(user);
}

boost::asio::awaitable<UserView> IdentityService::UpdateUser(std::string id, UserPatch patch) {
    auto& impl = *impl_;
    if (patch.password) ValidatePassword(*patch.password);
    std::optional<std::string> hash;
    if (patch.password)
        hash = co_await core::Offload(impl.passwords, [&] { return impl.hasher.Hash(*patch.password); });
    bool revoked = false;
    auto change = co_await impl.db.Write([&](store::Connection& c) {
        auto u = MustFind(c, id);
        const UserRecord before = u;
        const bool loses_admin = (patch.role && *patch.role != Role::admin) || (patch.disabled && *patch.disabled);
        GuardLastAdmin(c, u, loses_admin);
        if (patch.role) u.role = std::string(RoleName(*patch.role));
        const bool newly_disabled = patch.disabled && *patch.disabled && !u.disabled;
        if (patch.disabled) u.disabled = *patch.disabled;
        if (hash) u.password_hash = *hash;
        revoked = hash || newly_disabled;
        SaveChanged(impl, c, u, revoked);
        return std::make_pair(before, u);
    });
    Applied(impl, change.second, revoked);
    co_return ToView(change.second);
}

boost::asio::awaitable<void> IdentityService::DeleteUser(std::string id) {
    auto& impl = *impl_;
    const auto version = co_await impl.db.Write([&](store::Connection& c) {
        auto user = MustFind(c, id);
        GuardLastAdmin(c, user, true);
        const auto v = impl.Bump(c);
        store_sql::DeleteUser(c, id);
        impl.Announce(c, v, 'u', id);
        return v;
    });
    impl.view.RemoveUser(id, version);
    impl.view.RevokeTokensOf(id, version);
    impl.view.Cover(version);
}

boost::asio::awaitable<void> IdentityService::ChangeOwnPassword(Principal principal, std::string current,
                                                                std::string replacement, ClientInfo client,
                                                                bool revoke_api_tokens) {
    ValidatePassword(replacement);
    auto& impl = *impl_;
    // Checking the current password is a password check like a login's: throttled, with the session standing in
    // for a device cookie (a stolen session must not guess faster than a stranger, nor lock the user out).
    const PasswordClient who{client.ip,
                             "session:" + (principal.family_id.empty() ? principal.token_id : principal.family_id)};
    if (const auto wait = throttle_->Admit(who, principal.username)) throw core::TooManyAttempts(*wait);
    auto user = co_await impl.db.Read([&](store::Connection& c) { return MustFind(c, principal.user_id); });
    const bool ok =
        co_await core::Offload(impl.passwords, [&] { return impl.hasher.Verify(user.password_hash, current); });
    if (!ok) {
        throttle_->Failed(who, principal.username);
        throw core::Error(core::errc::forbidden, "the current password is wrong");
    }
    auto hash = co_await core::Offload(impl.passwords, [&] { return impl.hasher.Hash(replacement); });
    struct Change {
        UserRecord user;
        std::vector<std::string> families;  // the other sessions, ended
        std::int64_t until = 0;
    };
    auto change = co_await impl.db.Write([&](store::Connection& c) {
        Change r;
        r.user = MustFind(c, principal.user_id);
        r.user.password_hash = hash;
        // Not SaveChanged(..., true): a new token generation would end this session too, and every API token.
        SaveChanged(impl, c, r.user, false);
        r.until = core::EpochSeconds() + impl.options.access_ttl_s;
        for (auto& family : LiveFamiliesOf(c, r.user.id)) {
            if (family == principal.family_id) continue;
            RevokeFamily(c, family);
            RecordRevokedFamily(c, family, r.until);
            impl.Announce(c, r.user.auth_version, 'f', family, r.until);
            r.families.push_back(std::move(family));
        }
        if (revoke_api_tokens) RevokeUserApiTokens(c, r.user.id, r.user.auth_version);
        return r;
    });
    for (auto& family : change.families) impl.view.RevokeFamily(std::move(family), change.until);
    if (revoke_api_tokens) impl.view.RevokeTokensOf(change.user.id, change.user.auth_version);
    Applied(impl, change.user, false);
}

std::optional<std::string> IdentityService::EnsureInitialAdmin(const std::optional<std::string>& password) {
    // "No admin at all", not "no user": users added with the CLI before the first start must not
    // leave the installation without an administrator.
    bool has_admin = true;
    impl_->db.WithRead([&](store::Connection& c) { has_admin = CountAdmins(c) > 0; });
    if (has_admin) return std::nullopt;
    const std::string chosen = password ? *password : core::RandomHex(12);
    ValidatePassword(chosen);
    auto user = NewUser("admin", impl_->hasher.Hash(chosen), Role::admin);
    try {
        impl_->db.WithTransaction([&](store::Connection& c) {
            if (CountAdmins(c) == 0) InsertNew(*impl_, c, user);
        });
    } catch (const core::Error& e) {
        // Another instance created it first.
        if (e.code() != core::errc::already_exists) throw;
        return std::nullopt;
    }
    if (password) return std::nullopt;
    return chosen;
}

UserView IdentityService::CreateUserBlocking(const std::string& username, const std::string& password, Role role) {
    ValidateUsername(username);
    ValidatePassword(password);
    auto user = NewUser(username, impl_->hasher.Hash(password), role);
    impl_->db.WithTransaction([&](store::Connection& c) { InsertNew(*impl_, c, user); });
    Applied(*impl_, user, false);
    return ToView(user);
}

void IdentityService::SetPasswordBlocking(const std::string& username, const std::string& password) {
    ValidatePassword(password);
    const auto hash = impl_->hasher.Hash(password);
    impl_->db.WithTransaction([&](store::Connection& c) {
        auto user = FindUserByName(c, username);
        if (!user) throw core::Error(core::errc::not_found, "no user named '" + username + "'");
        user->password_hash = hash;
        SaveChanged(*impl_, c, *user, true);
    });
}

void IdentityService::SetDisabledBlocking(const std::string& username, bool disabled) {
    impl_->db.WithTransaction([&](store::Connection& c) {
        auto user = FindUserByName(c, username);
        if (!user) throw core::Error(core::errc::not_found, "no user named '" + username + "'");
        GuardLastAdmin(c, *user, disabled);
        const bool newly_disabled = disabled && !user->disabled;
        user->disabled = disabled;
        SaveChanged(*impl_, c, *user, newly_disabled);
    });
}

void IdentityService::SetRoleBlocking(const std::string& username, Role role) {
    impl_->db.WithTransaction([&](store::Connection& c) {
        auto user = FindUserByName(c, username);
        if (!user) throw core::Error(core::errc::not_found, "no user named '" + username + "'");
        GuardLastAdmin(c, *user, role != Role::admin);
        user->role = std::string(RoleName(role));
        SaveChanged(*impl_, c, *user, false);
    });
}

void IdentityService::DeleteUserBlocking(const std::string& username) {
    std::string id;
    std::int64_t version = 0;
    impl_->db.WithTransaction([&](store::Connection& c) {
        auto user = FindUserByName(c, username);
        if (!user) throw core::Error(core::errc::not_found, "no user named '" + username + "'");
        GuardLastAdmin(c, *user, true);
        id = user->id;
        version = impl_->Bump(c);
        store_sql::DeleteUser(c, id);
        impl_->Announce(c, version, 'u', id);
    });
    impl_->view.RemoveUser(id, version);
    impl_->view.RevokeTokensOf(id, version);
    impl_->view.Cover(version);
}

std::vector<UserView> IdentityService::ListUsersBlocking() {
    std::vector<UserView> views;
    impl_->db.WithRead([&](store::Connection& c) {
        for (const auto& user : store_sql::ListUsers(c, "", 100000)) views.push_back(ToView(user));
    });
    return views;
}

}  // namespace gatehouse::auth
