// Who is calling: bearer tokens checked against the in-memory auth view (no database read on the hot path),
// or against the store while the view is not fresh.
#include "auth/identity_impl.hpp"
#include "auth/opaque_token.hpp"

namespace gatehouse::auth {

using namespace store_sql;

namespace {

Principal TokenPrincipal(const ApiTokenEntry& token, const UserEntry& user) {
    Principal principal;
    principal.kind = Principal::Kind::api_token;
    principal.user_id = user.id;
    principal.username = user.username;
    principal.role = std::min(token.role, user.role);
    principal.token_id = token.id;
    principal.token_name = token.name;
    principal.token_hash = token.token_hash;
    principal.token_expires_epoch = token.expires_epoch;
    return principal;
}

Principal UserPrincipal(const UserEntry& user, const AccessClaims& claims) {
    Principal principal;
    principal.user_id = user.id;
    principal.username = user.username;
    principal.role = user.role;  // the role as it is now
    principal.jti = claims.jti;
    principal.family_id = claims.fam;
    principal.generation = claims.gen;
    principal.expires_epoch = claims.exp;
    return principal;
}

bool TokenUsable(const ApiTokenEntry& token, const UserEntry* user, std::int64_t now) {
    return !token.revoked && user && !user->disabled && (!token.expires_epoch || *token.expires_epoch > now);
}

void NoteUse(TokenUse& use, const std::string& token_id) {
    std::lock_guard lock(use.mutex);
    use.last_used[token_id] = core::Clock::now();
}

// The view has no entry: a token or user another instance created moments ago, or a bad token. One read of the
// store settles it, and the answer is kept (a bad hash as bad: tokens are random, it never becomes good).
boost::asio::awaitable<Principal> ApiTokenFromStore(IdentityService::Impl& impl, const std::string& hash) {
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
    if (!found.token) {
        impl.view.RememberBad(hash);
        throw BadCredentials();
    }
    const auto token = ToEntry(*found.token);
    std::optional<UserEntry> user;
    if (found.user) user = ToEntry(*found.user);
    if (impl.view.Fresh(impl.options.view_max_age)) {
        impl.view.PutToken(token);
        if (user) impl.view.PutUser(*user);
    }
    if (!TokenUsable(token, user ? &*user : nullptr, core::EpochSeconds())) throw BadCredentials();
    NoteUse(impl.token_use, token.id);
    co_return TokenPrincipal(token, *user);
}

boost::asio::awaitable<Principal> AccessFromStore(IdentityService::Impl& impl, const AccessClaims& claims) {
    auto state = co_await impl.db.Read(
        [&](store::Connection& c) { return LoadAuthState(c, claims.sub, claims.jti, claims.fam); });
    if (!state || state->user.disabled || state->jti_denied || state->family_revoked ||
        state->user.token_generation != claims.gen)
        throw BadCredentials();
    const auto user = ToEntry(state->user);
    if (impl.view.Fresh(impl.options.view_max_age)) impl.view.PutUser(user);
    co_return UserPrincipal(user, claims);
}

}  // namespace

boost::asio::awaitable<Principal> IdentityService::Authenticate(std::string bearer) {
    auto& impl = *impl_;
    const bool fresh = impl.ViewFresh();
    const auto now = core::EpochSeconds();
    if (bearer.starts_with("gha_")) {
        std::string hash = HashToken(bearer);
        if (!fresh) co_return co_await ApiTokenFromStore(impl, hash);
        const auto token = impl.view.TokenByHash(hash);
        if (!token) {
            if (impl.view.KnownBad(hash)) throw BadCredentials();
            co_return co_await ApiTokenFromStore(impl, hash);
        }
        const auto user = impl.view.User(token->user_id);
        if (!TokenUsable(*token, user.get(), now)) throw BadCredentials();
        NoteUse(impl.token_use, token->id);
        co_return TokenPrincipal(*token, *user);
    }
    const auto claims = impl.jwt.Verify(bearer, now);
    if (!claims) throw BadCredentials();
    if (!fresh) co_return co_await AccessFromStore(impl, *claims);
    const auto user = impl.view.User(claims->sub);
    if (!user) {
        if (impl.view.UserDeleted(claims->sub)) throw BadCredentials();
        co_return co_await AccessFromStore(impl, *claims);
    }
    if (user->disabled || user->generation != claims->gen || impl.view.JtiDenied(claims->jti) ||
        impl.view.FamilyRevoked(claims->fam))
        throw BadCredentials();
    co_return UserPrincipal(*user, *claims);
}

std::optional<Role> IdentityService::CurrentRole(const Principal& principal) const {
    const auto& impl = *impl_;
    if (!impl.ViewFresh()) return principal.role;
    if (principal.kind == Principal::Kind::api_token) {
        const auto token = impl.view.TokenByHash(principal.token_hash);
        const auto user = token ? impl.view.User(token->user_id) : nullptr;
        if (!token || !TokenUsable(*token, user.get(), core::EpochSeconds())) return std::nullopt;
        return std::min(token->role, user->role);
    }
    const auto user = impl.view.User(principal.user_id);
    if (!user || user->disabled || user->generation != principal.generation || impl.view.JtiDenied(principal.jti) ||
        impl.view.FamilyRevoked(principal.family_id))
        return std::nullopt;
    return user->role;
}

void IdentityService::FlushTokenUseBlocking() {
    std::unordered_map<std::string, core::Clock::time_point> pending;
    {
        std::lock_guard lock(impl_->token_use.mutex);
        pending.swap(impl_->token_use.last_used);
    }
    if (pending.empty()) return;
    impl_->db.WithTransaction([&](store::Connection& c) {
        for (const auto& [id, when] : pending) TouchApiToken(c, id, core::FormatRfc3339(when));
    });
}

boost::asio::awaitable<void> IdentityService::FlushTokenUse() {
    co_await core::Offload(impl_->db.write_pool(), [this] { FlushTokenUseBlocking(); });
}

}  // namespace gatehouse::auth
