#include "auth/identity_service.hpp"

#include <boost/asio/use_awaitable.hpp>

#include "auth/identity_impl.hpp"
#include "auth/opaque_token.hpp"
#include "core/ids.hpp"

namespace gatehouse::auth {

using namespace store_sql;

UserView ToView(const UserRecord& user) {
    return UserView{user.id,       user.username,   ParseRole(user.role).value_or(Role::viewer),
                    user.disabled, user.created_at, user.updated_at};
}

UserView ToView(const UserEntry& user) {
    return UserView{user.id, user.username, user.role, user.disabled, user.created_at, user.updated_at};
}

void RevokeEverything(store::Connection& c, UserRecord& user, std::int64_t version) {
    user.token_generation += 1;  // every access token carries the generation it was issued under
    RevokeUserSessions(c, user.id);
    RevokeUserApiTokens(c, user.id, version);
}

void IdentityService::Impl::Announce(store::Connection& c, std::int64_t version, char kind, std::string_view key,
                                     std::int64_t extra) const {
    NotifyAuthChange(c, FormatChange(AuthChange{options.instance_id, version, kind, std::string(key), extra}));
}

LoginResult IdentityService::Impl::IssueTokens(store::Connection& c, const UserRecord& user,
                                               const std::string& family_id) const {
    const auto now = core::EpochSeconds();
    const auto refresh = NewOpaqueToken("ghr_");
    InsertRefresh(c, RefreshRecord{core::NewUuidV7(), family_id, user.id, refresh.hash, now + options.refresh_ttl_s});
    AccessClaims claims{
        user.id, user.role, core::NewUuidV7(), family_id, user.token_generation, now, now + options.access_ttl_s};
    return LoginResult{jwt.Sign(claims), options.access_ttl_s, refresh.token, options.refresh_ttl_s, ToView(user), {}};
}

IdentityService::IdentityService(store::Database& database, core::WorkerPool& passwords, const PasswordHasher& hasher,
                                 JwtCodec jwt, audit::AuditLog& audit, IdentityOptions options)
    // Braces, not make_shared: clang before 16 cannot initialise an aggregate from parentheses.
    : impl_(std::shared_ptr<Impl>(new Impl{database, passwords, hasher, std::move(jwt), audit, options})),
      options_(options),
      throttle_(std::make_unique<LoginThrottle>(options.throttle, impl_->jwt.Derive("gatehouse device cookie"))) {}

AuthView& IdentityService::view() noexcept { return impl_->view; }
LoginThrottle& IdentityService::throttle() noexcept { return *throttle_; }

boost::asio::awaitable<LoginResult> IdentityService::Login(std::string username, std::string password,
                                                           ClientInfo client) {
    auto& impl = *impl_;
    const PasswordClient who{client.ip, throttle_->DeviceOf(client.device, username)};
    if (const auto wait = throttle_->Admit(who, username)) throw core::TooManyAttempts(*wait);
    auto user = co_await impl.db.Read([&](store::Connection& c) { return FindUserByName(c, username); });
    // Unknown users cost a dummy verification: same answer, about the same time.
    const bool verified = co_await core::Offload(impl.passwords, [&] {
        if (!user) {
            impl.hasher.VerifyDummy(password);
            return false;
        }
        return impl.hasher.Verify(user->password_hash, password);
    });
    if (!verified || user->disabled) {
        throttle_->Failed(who, username);
        throw BadCredentials();
    }
    std::optional<std::string> rehashed;
    const bool needs_rehash = impl.hasher.NeedsRehash(user->password_hash);
    if (needs_rehash) rehashed = co_await core::Offload(impl.passwords, [&] { return impl.hasher.Hash(password); });
    auto result = co_await impl.db.Write([&](store::Connection& c) {
        if (rehashed) {
            user->password_hash = *rehashed;
            user->updated_at = core::NowRfc3339();
            store_sql::UpdateUser(c, *user);
        }
        return impl.IssueTokens(c, *user, core::NewUuidV7());
    });
    // A client that proved the password is no stranger to this account from now on (see LoginThrottle).
    result.device = who.known.empty() ? throttle_->IssueDevice(username) : client.device;
    co_return result;
}

boost::asio::awaitable<LoginResult> IdentityService::Refresh(std::string refresh_token, ClientInfo client) {
    auto& impl = *impl_;
    enum class Outcome { ok, invalid, reused };
    struct Attempt {
        Outcome outcome = Outcome::invalid;
        std::optional<LoginResult> result;
        std::string user_id, family_id;
        std::int64_t version = 0, until = 0;
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
            a.version = impl.Bump(c);
            a.until = core::EpochSeconds() + impl.options.access_ttl_s;
            RevokeFamily(c, record->family_id);
            RecordRevokedFamily(c, record->family_id, a.until);
            impl.Announce(c, a.version, 'f', record->family_id, a.until);
            a.outcome = Outcome::reused;
            return a;
        }
        auto user = FindUserById(c, record->user_id);
        if (record->expires_epoch <= core::EpochSeconds() || !user || user->disabled) return a;
        a.outcome = Outcome::ok;
        a.result = impl.IssueTokens(c, *user, record->family_id);
        return a;
    });
    if (attempt.outcome == Outcome::reused) {
        impl.view.RevokeFamily(attempt.family_id, attempt.until);
        impl.view.Cover(attempt.version);
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
    struct Revoked {
        std::int64_t version = 0;
        std::int64_t until = 0;
        std::vector<std::string> families;
    };
    const bool denies_jti = principal && principal->kind == Principal::Kind::user;
    auto revoked = co_await impl.db.Write([&](store::Connection& c) {
        Revoked r;
        if (denies_jti && !principal->family_id.empty()) r.families.push_back(principal->family_id);
        if (refresh_token) {
            if (auto record = FindRefresh(c, HashToken(*refresh_token))) r.families.push_back(record->family_id);
        }
        if (!denies_jti && r.families.empty()) return r;
        r.version = impl.Bump(c);
        r.until = core::EpochSeconds() + impl.options.access_ttl_s;
        if (denies_jti) {
            DenyJti(c, principal->jti, principal->expires_epoch);
            impl.Announce(c, r.version, 'j', principal->jti, principal->expires_epoch);
        }
        for (const auto& family : r.families) {
            RevokeFamily(c, family);
            RecordRevokedFamily(c, family, r.until);
            impl.Announce(c, r.version, 'f', family, r.until);
        }
        return r;
    });
    if (revoked.version == 0) co_return;
    if (denies_jti) impl.view.DenyJti(principal->jti, principal->expires_epoch);
    for (auto& family : revoked.families) impl.view.RevokeFamily(std::move(family), revoked.until);
    impl.view.Cover(revoked.version);
}

boost::asio::awaitable<void> IdentityService::PurgeExpired() {
    const auto now = core::EpochSeconds();
    co_await impl_->db.Write([now](store::Connection& c) { store_sql::PurgeExpired(c, now); });
    impl_->view.Purge(now);
}

}  // namespace gatehouse::auth
