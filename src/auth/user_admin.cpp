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
    const auto now = core::FormatRfc3339(core::Clock::now());
    return UserRecord{core::NewUuidV7(), username, std::move(hash), std::string(RoleName(role)), false, 0, now, now};
}

void InsertNew(store::Connection& c, const UserRecord& user) {
    try {
        InsertUser(c, user);
    } catch (const core::Error& e) {
        if (e.code() == core::errc::already_exists)
            throw core::Error(core::errc::already_exists, "username '" + user.username + "' is taken");
        throw;
    }
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

boost::asio::awaitable<UserPage> IdentityService::ListUsers(std::size_t limit, std::string cursor) {
    const std::string after = CheckCursor(cursor);
    auto users =
        co_await impl_->db.Read([&](store::Connection& c) { return store_sql::ListUsers(c, after, limit + 1); });
    UserPage page;
    for (std::size_t i = 0; i < users.size() && i < limit; ++i) page.items.push_back(ToView(users[i]));
    if (users.size() > limit) page.next_cursor = page.items.back().id;
    co_return page;
}

boost::asio::awaitable<UserView> IdentityService::CreateUser(std::string username, std::string password, Role role) {
    ValidateUsername(username);
    ValidatePassword(password);
    auto& impl = *impl_;
    auto hash = co_await core::Offload(impl.cpu, [&] { return impl.hasher.Hash(password); });
    auto user = NewUser(username, std::move(hash), role);
    co_await impl.db.Write([&](store::Connection& c) { InsertNew(c, user); });
    co_return ToView(user);
}

boost::asio::awaitable<UserView> IdentityService::Register(std::string username, std::string password) {
    if (!options_.registration_enabled) throw core::Error(core::errc::not_found, "self-registration is disabled");
    co_return co_await CreateUser(std::move(username), std::move(password), Role::viewer);
}

boost::asio::awaitable<UserView> IdentityService::GetUser(std::string id) {
    auto user = co_await impl_->db.Read([&](store::Connection& c) { return MustFind(c, id); });
    co_return ToView(user);
}

boost::asio::awaitable<UserView> IdentityService::UpdateUser(std::string id, UserPatch patch) {
    auto& impl = *impl_;
    if (patch.password) ValidatePassword(*patch.password);
    std::optional<std::string> hash;
    if (patch.password) hash = co_await core::Offload(impl.cpu, [&] { return impl.hasher.Hash(*patch.password); });
    auto user = co_await impl.db.Write([&](store::Connection& c) {
        auto u = MustFind(c, id);
        const bool loses_admin = (patch.role && *patch.role != Role::admin) || (patch.disabled && *patch.disabled);
        GuardLastAdmin(c, u, loses_admin);
        if (patch.role) u.role = std::string(RoleName(*patch.role));
        const bool newly_disabled = patch.disabled && *patch.disabled && !u.disabled;
        if (patch.disabled) u.disabled = *patch.disabled;
        if (hash) u.password_hash = *hash;
        if (hash || newly_disabled) RevokeEverything(c, u);
        u.updated_at = core::FormatRfc3339(core::Clock::now());
        store_sql::UpdateUser(c, u);
        return u;
    });
    co_return ToView(user);
}

boost::asio::awaitable<void> IdentityService::DeleteUser(std::string id) {
    co_await impl_->db.Write([&](store::Connection& c) {
        auto user = MustFind(c, id);
        GuardLastAdmin(c, user, true);
        store_sql::DeleteUser(c, id);
    });
}

boost::asio::awaitable<void> IdentityService::ChangeOwnPassword(Principal principal, std::string current,
                                                                std::string replacement) {
    ValidatePassword(replacement);
    auto& impl = *impl_;
    auto user = co_await impl.db.Read([&](store::Connection& c) { return MustFind(c, principal.user_id); });
    const bool ok = co_await core::Offload(impl.cpu, [&] { return impl.hasher.Verify(user.password_hash, current); });
    if (!ok) throw core::Error(core::errc::forbidden, "the current password is wrong");
    auto hash = co_await core::Offload(impl.cpu, [&] { return impl.hasher.Hash(replacement); });
    co_await impl.db.Write([&](store::Connection& c) {
        auto u = MustFind(c, principal.user_id);
        u.password_hash = hash;
        RevokeEverything(c, u);
        u.updated_at = core::FormatRfc3339(core::Clock::now());
        store_sql::UpdateUser(c, u);
    });
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
            if (CountAdmins(c) == 0) InsertUser(c, user);
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
    impl_->db.WithTransaction([&](store::Connection& c) { InsertNew(c, user); });
    return ToView(user);
}

void IdentityService::SetPasswordBlocking(const std::string& username, const std::string& password) {
    ValidatePassword(password);
    const auto hash = impl_->hasher.Hash(password);
    impl_->db.WithTransaction([&](store::Connection& c) {
        auto user = FindUserByName(c, username);
        if (!user) throw core::Error(core::errc::not_found, "no user named '" + username + "'");
        user->password_hash = hash;
        RevokeEverything(c, *user);
        user->updated_at = core::FormatRfc3339(core::Clock::now());
        store_sql::UpdateUser(c, *user);
    });
}

void IdentityService::SetDisabledBlocking(const std::string& username, bool disabled) {
    impl_->db.WithTransaction([&](store::Connection& c) {
        auto user = FindUserByName(c, username);
        if (!user) throw core::Error(core::errc::not_found, "no user named '" + username + "'");
        GuardLastAdmin(c, *user, disabled);
        if (disabled && !user->disabled) RevokeEverything(c, *user);
        user->disabled = disabled;
        user->updated_at = core::FormatRfc3339(core::Clock::now());
        store_sql::UpdateUser(c, *user);
    });
}

std::vector<UserView> IdentityService::ListUsersBlocking() {
    std::vector<UserView> views;
    impl_->db.WithRead([&](store::Connection& c) {
        for (const auto& user : store_sql::ListUsers(c, "", 100000)) views.push_back(ToView(user));
    });
    return views;
}

}  // namespace gatehouse::auth
