#include <algorithm>
#include <unordered_map>

#include "auth/identity_impl.hpp"
#include "auth/opaque_token.hpp"
#include "core/ids.hpp"
#include "core/text.hpp"

namespace gatehouse::auth {

using namespace store_sql;

namespace {

ApiTokenView ToView(const ApiTokenRecord& t) {
    ApiTokenView view{t.id,     t.user_id,    t.name,       ParseRole(t.role).value_or(Role::viewer),
                      t.prefix, t.created_at, t.expires_at, t.last_used_at,
                      {},       std::nullopt};
    view.effective_role = view.role;
    return view;
}

// The token's role capped by its user's role now (none while the user is disabled or gone).
std::optional<Role> EffectiveRole(Role token_role, const std::optional<UserRecord>& user) {
    if (!user || user->disabled) return std::nullopt;
    const Role user_role = ParseRole(user->role).value_or(Role::viewer);
    return std::min(token_role, user_role);
}

}  // namespace

boost::asio::awaitable<ApiTokenView> IdentityService::CreateApiToken(Principal principal, std::string name,
                                                                     std::optional<Role> asked_role,
                                                                     std::optional<core::Clock::time_point> expires) {
    if (const auto problem = core::NameProblem(name, 100); !problem.empty())
        throw core::Error(core::errc::invalid_argument, "field 'name' " + problem);
    const Role role = asked_role.value_or(principal.role);
    if (role > principal.role)
        throw core::Error(core::errc::forbidden, "a token cannot have a higher role than its creator");
    if (expires && *expires <= core::Clock::now())
        throw core::Error(core::errc::invalid_argument, "expires_at must be in the future");
    // A token made with a token lives no longer than its maker: it cannot be used to escape its expiry.
    if (principal.kind == Principal::Kind::api_token && principal.token_expires_epoch) {
        const core::Clock::time_point limit{std::chrono::seconds(*principal.token_expires_epoch)};
        if (expires && *expires > limit)
            throw core::Error(core::errc::forbidden, "a token created with an API token cannot expire after it (" +
                                                         core::FormatRfc3339(limit) + ")");
        if (!expires) expires = limit;
    }
    const auto secret = NewOpaqueToken("gha_");
    ApiTokenRecord record;
    record.id = core::NewUuidV7();
    record.user_id = principal.user_id;
    record.name = name;
    record.role = std::string(RoleName(role));
    record.prefix = secret.token.substr(0, 12);
    record.token_hash = secret.hash;
    record.created_at = core::NowRfc3339();
    if (expires) {
        record.expires_at = core::FormatRfc3339(*expires);
        record.expires_epoch = core::EpochSeconds(*expires);
    }
    auto& impl = *impl_;
    co_await impl.db.Write([&](store::Connection& c) {
        record.auth_version = impl.Bump(c);
        InsertApiToken(c, record);
        impl.Announce(c, record.auth_version, 't', record.id);
    });
    impl.view.PutToken(ToEntry(record));
    impl.view.Cover(record.auth_version);
    auto view = ToView(record);
    view.token = secret.token;
    co_return view;
}

boost::asio::awaitable<ApiTokenPage> IdentityService::ListApiTokens(Principal principal, bool all, std::size_t limit,
                                                                    std::string cursor) {
    const std::string after = CheckCursor(cursor);
    const std::string owner = all && principal.role == Role::admin ? std::string() : principal.user_id;
    std::unordered_map<std::string, std::optional<UserRecord>> users;
    auto tokens = co_await impl_->db.Read([&](store::Connection& c) {
        auto found = store_sql::ListApiTokens(c, owner, after, limit + 1);
        for (const auto& token : found)
            if (!users.contains(token.user_id)) users.emplace(token.user_id, FindUserById(c, token.user_id));
        return found;
    });
    ApiTokenPage page;
    {
        // Uses not yet written (they are written in batches) show all the same.
        std::lock_guard lock(impl_->token_use.mutex);
        for (auto& token : tokens) {
            const auto used = impl_->token_use.last_used.find(token.id);
            if (used != impl_->token_use.last_used.end()) token.last_used_at = core::FormatRfc3339(used->second);
        }
    }
    for (std::size_t i = 0; i < tokens.size() && i < limit; ++i) {
        auto view = ToView(tokens[i]);
        view.effective_role = EffectiveRole(view.role, users[view.user_id]);
        page.items.push_back(std::move(view));
    }
    if (tokens.size() > limit) page.next_cursor = page.items.back().id;
    co_return page;
}

boost::asio::awaitable<void> IdentityService::RevokeApiToken(Principal principal, std::string id) {
    auto& impl = *impl_;
    auto revoked = co_await impl.db.Write([&](store::Connection& c) {
        auto token = FindApiToken(c, id);
        // Someone else's token is "not found" to a non-admin: its existence is not theirs to learn.
        if (!token || (token->user_id != principal.user_id && principal.role != Role::admin))
            throw core::Error(core::errc::not_found, "no such API token");
        token->auth_version = impl.Bump(c);
        token->revoked = true;
        store_sql::RevokeApiToken(c, id, token->auth_version);
        impl.Announce(c, token->auth_version, 't', id);
        return *token;
    });
    impl.view.PutToken(ToEntry(revoked));
    impl.view.Cover(revoked.auth_version);
}

}  // namespace gatehouse::auth
