#include "auth/identity_impl.hpp"
#include "auth/opaque_token.hpp"
#include "core/ids.hpp"

namespace gatehouse::auth {

using namespace store_sql;

namespace {

ApiTokenView ToView(const ApiTokenRecord& t) {
    return ApiTokenView{t.id,     t.user_id,    t.name,       ParseRole(t.role).value_or(Role::viewer),
                        t.prefix, t.created_at, t.expires_at, t.last_used_at,
                        {}};
}

}  // namespace

boost::asio::awaitable<ApiTokenView> IdentityService::CreateApiToken(Principal principal, std::string name, Role role,
                                                                     std::optional<core::Clock::time_point> expires) {
    if (name.empty() || name.size() > 100)
        throw core::Error(core::errc::invalid_argument, "name must be 1 to 100 characters");
    if (role > principal.role)
        throw core::Error(core::errc::forbidden, "a token cannot have a higher role than its creator");
    if (expires && *expires <= core::Clock::now())
        throw core::Error(core::errc::invalid_argument, "expires_at must be in the future");
    const auto secret = NewOpaqueToken("gha_");
    ApiTokenRecord record;
    record.id = core::NewUuidV7();
    record.user_id = principal.user_id;
    record.name = name;
    record.role = std::string(RoleName(role));
    record.prefix = secret.token.substr(0, 12);
    record.token_hash = secret.hash;
    record.created_at = core::FormatRfc3339(core::Clock::now());
    if (expires) {
        record.expires_at = core::FormatRfc3339(*expires);
        record.expires_epoch = std::chrono::duration_cast<std::chrono::seconds>(expires->time_since_epoch()).count();
    }
    co_await impl_->db.Write([&](store::Connection& c) { InsertApiToken(c, record); });
    auto view = ToView(record);
    view.token = secret.token;
    co_return view;
}

boost::asio::awaitable<ApiTokenPage> IdentityService::ListApiTokens(Principal principal, bool all, std::size_t limit,
                                                                    std::string cursor) {
    const std::string after = CheckCursor(cursor);
    const std::string owner = all && principal.role == Role::admin ? std::string() : principal.user_id;
    auto tokens = co_await impl_->db.Read(
        [&](store::Connection& c) { return store_sql::ListApiTokens(c, owner, after, limit + 1); });
    ApiTokenPage page;
    for (std::size_t i = 0; i < tokens.size() && i < limit; ++i) page.items.push_back(ToView(tokens[i]));
    if (tokens.size() > limit) page.next_cursor = page.items.back().id;
    co_return page;
}

boost::asio::awaitable<void> IdentityService::RevokeApiToken(Principal principal, std::string id) {
    co_await impl_->db.Write([&](store::Connection& c) {
        auto token = FindApiToken(c, id);
        // Someone else's token is "not found" to a non-admin: its existence is not theirs to learn.
        if (!token || (token->user_id != principal.user_id && principal.role != Role::admin))
            throw core::Error(core::errc::not_found, "no such API token");
        store_sql::RevokeApiToken(c, id);
    });
}

}  // namespace gatehouse::auth
