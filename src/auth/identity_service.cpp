#include <boost/asio/use_awaitable.hpp>

#include "auth/identity_impl.hpp"
#include "auth/opaque_token.hpp"
#include "core/ids.hpp"

namespace gatehouse::auth {

using namespace store_sql;

std::int64_t NowEpoch() {
    return std::chrono::duration_cast<std::chrono::seconds>(core::Clock::now().time_since_epoch()).count();
}

UserView ToView(const UserRecord& user) {
    return UserView{user.id,       user.username,   ParseRole(user.role).value_or(Role::viewer),
                    user.disabled, user.created_at, user.updated_at};
}

void RevokeEverything(store::Connection& c, UserRecord& user) {
    user.token_generation += 1;  // every access token carries the generation it was issued under
    RevokeUserSessions(c, user.id);
    RevokeUserApiTokens(c, user.id);
}

LoginResult IdentityService::Impl::IssueTokens(store::Connection& c, const UserRecord& user,
                                               const std::string& family_id) const {
    const auto now = NowEpoch();
    const auto refresh = NewOpaqueToken("ghr_");
    InsertRefresh(c, RefreshRecord{core::NewUuidV7(), family_id, user.id, refresh.hash, now + options.refresh_ttl_s});
    AccessClaims claims{
        user.id, user.role, core::NewUuidV7(), family_id, user.token_generation, now, now + options.access_ttl_s};
    return LoginResult{jwt.Sign(claims), options.access_ttl_s, refresh.token, options.refresh_ttl_s, ToView(user)};
}

IdentityService::IdentityService(store::Database& database, core::WorkerPool& cpu, const PasswordHasher& hasher,
                                 JwtCodec jwt, audit::AuditLog& audit, IdentityOptions options)
    : impl_(std::make_shared<Impl>(Impl{database, cpu, hasher, std::move(jwt), audit, options})), options_(options) {}

boost::asio::awaitable<LoginResult> IdentityService::Login(std::string username, std::string password,
                                                           ClientInfo client) {
    auto& impl = *impl_;
    auto user = co_await impl.db.Read([&](store::Connection& c) { return FindUserByName(c, username); });
    // Unknown users cost a dummy verification: same answer, about the same time.
    const bool verified = co_await core::Offload(impl.cpu, [&] {
        if (!user) {
            impl.hasher.VerifyDummy(password);
            return false;
        }
        return impl.hasher.Verify(user->password_hash, password);
    });
    if (!verified || user->disabled) throw BadCredentials();
    std::optional<std::string> rehashed;
    const bool needs_rehash = impl.hasher.NeedsRehash(user->password_hash);
    if (needs_rehash) rehashed = co_await core::Offload(impl.cpu, [&] { return impl.hasher.Hash(password); });
    (void)client;
    co_return co_await impl.db.Write([&](store::Connection& c) {
        if (rehashed) {
            user->password_hash = *rehashed;
            user->updated_at = core::FormatRfc3339(core::Clock::now());
            store_sql::UpdateUser(c, *user);
        }
        return impl.IssueTokens(c, *user, core::NewUuidV7());
    });
}

boost::asio::awaitable<LoginResult> IdentityService::Refresh(std::string refresh_token, ClientInfo client) {
    auto& impl = *impl_;
    enum class Outcome { ok, invalid, reused };
    struct Attempt {
        Outcome outcome = Outcome::invalid;
        std::optional<LoginResult> result;
        std::string user_id, family_id;
    };
    const std::string hash = HashToken(refresh_token);
    // The whole check-and-rotate is one transaction: two refreshes with the same token cannot both win.
    auto attempt = co_await impl.db.Write([&](store::Connection& c) {
        Attempt a;
        auto record = FindRefresh(c, hash);
        if (!record || record->revoked) return a;
        a.user_id = record->user_id;
        a.family_id = record->family_id;
        if (record->used || !MarkRefreshUsed(c, record->id)) {
            // A used token came back: someone holds a copy. End the whole family for both holders.
            RevokeFamily(c, record->family_id);
            a.outcome = Outcome::reused;
            return a;
        }
        auto user = FindUserById(c, record->user_id);
        if (record->expires_epoch <= NowEpoch() || !user || user->disabled) return a;
        a.outcome = Outcome::ok;
        a.result = impl.IssueTokens(c, *user, record->family_id);
        return a;
    });
    if (attempt.outcome == Outcome::reused) {
        audit::Event event;
        event.actor_kind = "user";
        event.actor_id = attempt.user_id;
        event.source_ip = client.ip;
        event.user_agent = client.user_agent;
        event.request_id = client.request_id;
        event.action = "auth.refresh_reuse";
        event.resource_type = "session";
        event.resource_id = attempt.family_id;
        event.outcome = "denied";
        event.details = {{"reason", "a refresh token was presented twice; its session family is revoked"}};
        impl.audit.Record(std::move(event));
    }
    if (attempt.outcome != Outcome::ok) throw BadCredentials();
    co_return std::move(*attempt.result);
}

boost::asio::awaitable<void> IdentityService::Logout(std::optional<Principal> principal,
                                                     std::optional<std::string> refresh_token) {
    auto& impl = *impl_;
    co_await impl.db.Write([&](store::Connection& c) {
        if (principal && principal->kind == Principal::Kind::user) {
            DenyJti(c, principal->jti, principal->expires_epoch);
            if (!principal->family_id.empty()) RevokeFamily(c, principal->family_id);
        }
        if (refresh_token) {
            if (auto record = FindRefresh(c, HashToken(*refresh_token))) RevokeFamily(c, record->family_id);
        }
    });
}

boost::asio::awaitable<Principal> IdentityService::Authenticate(std::string bearer) {
    auto& impl = *impl_;
    if (bearer.starts_with("gha_")) {
        const std::string hash = HashToken(bearer);
        struct Found {
            std::optional<ApiTokenRecord> token;
            std::optional<UserRecord> user;
        };
        auto found = co_await impl.db.Read([&](store::Connection& c) {
            Found f;
            f.token = FindApiTokenByHash(c, hash);
            if (f.token) f.user = FindUserById(c, f.token->user_id);
            return f;
        });
        const auto now = NowEpoch();
        if (!found.token || found.token->revoked || !found.user || found.user->disabled ||
            (found.token->expires_epoch && *found.token->expires_epoch <= now))
            throw BadCredentials();
        Principal principal;
        principal.kind = Principal::Kind::api_token;
        principal.user_id = found.user->id;
        principal.username = found.user->username;
        const Role token_role = ParseRole(found.token->role).value_or(Role::viewer);
        const Role user_role = ParseRole(found.user->role).value_or(Role::viewer);
        principal.role = std::min(token_role, user_role);
        principal.token_id = found.token->id;
        principal.token_name = found.token->name;
        // last_used_at is worth a write once a minute, not on every request.
        const auto last = found.token->last_used_at ? core::ParseRfc3339(*found.token->last_used_at) : std::nullopt;
        if (!last || core::Clock::now() - *last > std::chrono::seconds(60)) {
            const std::string id = found.token->id;
            const std::string stamp = core::FormatRfc3339(core::Clock::now());
            co_await impl.db.Write([&](store::Connection& c) { TouchApiToken(c, id, stamp); });
        }
        co_return principal;
    }
    const auto claims = impl.jwt.Verify(bearer, NowEpoch());
    if (!claims) throw BadCredentials();
    auto state = co_await impl.db.Read(
        [&](store::Connection& c) { return LoadAuthState(c, claims->sub, claims->jti, claims->fam); });
    if (!state || state->user.disabled || state->jti_denied || state->family_revoked ||
        state->user.token_generation != claims->gen)
        throw BadCredentials();
    Principal principal;
    principal.user_id = state->user.id;
    principal.username = state->user.username;
    principal.role = ParseRole(state->user.role).value_or(Role::viewer);  // the role as it is now
    principal.jti = claims->jti;
    principal.family_id = claims->fam;
    principal.expires_epoch = claims->exp;
    co_return principal;
}

boost::asio::awaitable<void> IdentityService::PurgeExpired() {
    const auto now = NowEpoch();
    co_await impl_->db.Write([now](store::Connection& c) { store_sql::PurgeExpired(c, now); });
}

}  // namespace gatehouse::auth
