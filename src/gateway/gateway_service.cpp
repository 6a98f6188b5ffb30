#include "gateway/gateway_service.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <stdexcept>

#include "core/base64.hpp"
#include "core/errc.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "core/time.hpp"
#include "gateway/gateway_sql.hpp"
#include "gateway/route_rules.hpp"

namespace gatehouse::gateway {

namespace {

using core::errc;
using core::Error;

constexpr std::string_view kSealPurpose = "idempotent_answer";

// 48 random bytes: 64 URL-safe characters.
std::string NewAccessToken() {
    unsigned char bytes[48];
    if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
    return core::Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

vault::Owner SealOwner(const std::string& token_id) {
    return vault::Owner{"access_token", token_id, std::string(kSealPurpose)};
}

Error NotFound(std::string_view what) { return Error(errc::not_found, std::string(what) + " not found"); }

// The refund of a token revoked at `now`: its price for the whole hours it had left. The hour in progress counts as
// used (the first one from the purchase on), as a meter that bills started hours does.
std::int64_t RefundFor(const AccessTokenView& token, std::int64_t now_epoch) {
    if (token.price <= 0 || token.duration_hours <= 0 || now_epoch >= token.expires_epoch) return 0;
    const std::int64_t hours = token.duration_hours;
    const std::int64_t used_seconds = std::max<std::int64_t>(0, now_epoch - (token.expires_epoch - hours * 3600));
    const std::int64_t used_hours = std::clamp<std::int64_t>((used_seconds + 3599) / 3600, 1, hours);
    return token.price * (hours - used_hours) / hours;
}

}  // namespace

std::string_view Name(TxKind kind) noexcept { return kTxKinds[static_cast<std::size_t>(kind)]; }

struct GatewayService::Impl {
    store::Database& db;
    const vault::Vault& vault;
    AccessCache& cache;
    GatewayOptions options;
    std::unique_ptr<store::Subscription> subscription;

    // Inside a transaction: tells the other instances sharing PostgreSQL, on commit.
    void Announce(store::Connection& c, char kind, std::string_view key) const {
        if (c.dialect() != store::Dialect::postgres) return;
        const std::string payload = options.instance_id + "|" + std::string(1, kind) + "|" + std::string(key);
        c.Execute("SELECT pg_notify(?, ?)", {store::Text(kGatewayChannel), store::Text(payload)});
    }

    void ReloadRoutes(store::Connection& c) const { cache.SetRoutes(sql::AllRoutes(c)); }

    void ReloadAll(store::Connection& c) const {
        const auto since = cache.Stamp();
        ReloadRoutes(c);
        cache.SetTokens(sql::LiveTokens(c, core::EpochSeconds()), since);
        cache.DropExpired(core::EpochSeconds());
    }

    RouteView Find(store::Connection& c, std::string_view id_or_slug) const {
        auto route = sql::FindRoute(c, id_or_slug);
        if (!route) throw NotFound("gateway route");
        return *route;
    }

    WalletTransaction Entry(std::string user_id, TxKind kind, std::int64_t amount, std::int64_t balance_after,
                            std::optional<std::string> token_id, std::string note, std::string created_by,
                            std::string at) const {
        return WalletTransaction{
            core::NewUuidV7(), std::move(user_id),    kind,         amount, balance_after, std::move(token_id),
            std::move(note),   std::move(created_by), std::move(at)};
    }

    // The first purchase made with the buyer's key, when there was one: replayed, or refused when it bought
    // something else.
    std::optional<Purchase> Replay(store::Connection& c, const PurchaseRequest& request, const RouteView& route) const {
        if (!request.idempotency_key) return std::nullopt;
        auto first = sql::FindTokenByKey(c, request.buyer.user_id, *request.idempotency_key);
        if (!first) return std::nullopt;
        if (first->route_id != route.id || first->duration_hours != request.duration_hours)
            throw Error(errc::conflict, "idempotency_key was used for another purchase");
        auto token = vault.Reveal(c, SealOwner(first->id));
        if (!token) throw Error(errc::internal, "internal error", "sealed answer of an idempotent purchase is missing");
        return Purchase{*first, *token};
    }

    Purchase Charge(store::Connection& c, const PurchaseRequest& request, const RouteView& route,
                    std::int64_t price) const {
        const auto now = core::Clock::now();
        const auto at = core::FormatRfc3339(now);
        const auto expires = now + std::chrono::hours(request.duration_hours);
        sql::TokenRow row;
        row.view.id = core::NewUuidV7();
        row.view.user_id = request.buyer.user_id;
        row.view.route_id = route.id;
        row.view.route_slug = route.slug;
        row.view.duration_hours = request.duration_hours;
        row.view.price = price;
        row.view.created_at = at;
        row.view.expires_at = core::FormatRfc3339(expires);
        row.view.expires_epoch = core::EpochSeconds(expires);
        const std::string token = NewAccessToken();
        row.hash = core::Sha256Hex(token);
        row.idempotency_key = request.idempotency_key;
        std::int64_t balance = 0;
        if (price > 0) {
            const auto after = sql::Debit(c, request.buyer.user_id, price, at);
            if (!after) {
                const auto have = sql::Balance(c, request.buyer.user_id);
                throw Error(errc::insufficient_credits, "insufficient_credits: the price is " + std::to_string(price) +
                                                            " credits and the wallet holds " + std::to_string(have))
                    .Kind("insufficient_credits");
            }
            balance = *after;
        } else {
            balance = sql::Balance(c, request.buyer.user_id);
        }
        sql::InsertToken(c, row);
        sql::InsertTransaction(
            c, Entry(request.buyer.user_id, TxKind::purchase, -price, balance, row.view.id,
                     route.slug + " for " + std::to_string(request.duration_hours) + " h", request.buyer.user_id, at));
        if (request.idempotency_key) vault.Seal(c, SealOwner(row.view.id), token);
        Announce(c, 't', row.view.id);
        return Purchase{row.view, token};
    }
};

GatewayService::GatewayService(store::Database& database, const vault::Vault& vault, AccessCache& cache,
                               GatewayOptions options)
    : impl_(std::make_shared<Impl>(Impl{database, vault, cache, std::move(options), nullptr})) {}

GatewayService::~GatewayService() = default;

AccessCache& GatewayService::cache() noexcept { return impl_->cache; }

const AccessCache& GatewayService::cache() const noexcept { return impl_->cache; }

boost::asio::awaitable<std::shared_ptr<LiveToken>> GatewayService::Resolve(std::string token) {
    if (token.empty() || token.size() > 256) co_return nullptr;
    const auto hash = core::Sha256Hex(token);
    auto& cache = impl_->cache;
    if (auto live = cache.TokenByHash(hash)) co_return live->Valid(core::EpochSeconds()) ? live : nullptr;
    if (cache.KnownBad(hash)) co_return nullptr;
    const auto entry =
        co_await impl_->db.Read([&hash](store::Connection& c) { return sql::TokenEntryByHash(c, hash); });
    if (!entry) {
        cache.RememberBad(hash);
        co_return nullptr;
    }
    cache.PutToken(*entry);
    if (entry->revoked || entry->expires_epoch <= core::EpochSeconds()) {
        cache.RememberBad(hash);
        co_return nullptr;
    }
    co_return cache.TokenByHash(hash);
}

boost::asio::awaitable<Page<RouteView>> GatewayService::ListRoutes(std::size_t limit, std::string cursor) {
    const auto after = store::CheckCursor(cursor);
    auto rows =
        co_await impl_->db.Read([&after, limit](store::Connection& c) { return sql::ListRoutes(c, after, limit + 1); });
    co_return store::Paged(std::move(rows), limit);
}

boost::asio::awaitable<RouteView> GatewayService::GetRoute(std::string id_or_slug) {
    Impl& impl = *impl_;
    co_return co_await impl_->db.Read([&impl, &id_or_slug](store::Connection& c) { return impl.Find(c, id_or_slug); });
}

boost::asio::awaitable<RouteView> GatewayService::CreateRoute(RouteInput input) {
    ValidateRoute(input);
    input.id = core::NewUuidV7();
    input.created_at = input.updated_at = core::NowRfc3339();
    Impl& impl = *impl_;
    co_await impl_->db.Write([&impl, &input](store::Connection& c) {
        sql::InsertRoute(c, input);
        impl.Announce(c, 'r', input.id);
    });
    co_await impl_->db.Read([&impl](store::Connection& c) { impl.ReloadRoutes(c); });
    co_return input;
}

boost::asio::awaitable<RouteView> GatewayService::UpdateRoute(std::string id_or_slug, RouteInput input) {
    ValidateRoute(input);
    Impl& impl = *impl_;
    co_await impl_->db.Write([&impl, &input, &id_or_slug](store::Connection& c) {
        const auto stored = impl.Find(c, id_or_slug);
        input.id = stored.id;
        input.created_at = stored.created_at;
        input.updated_at = core::NowRfc3339();
        sql::UpdateRoute(c, input);
        impl.Announce(c, 'r', input.id);
    });
    co_await impl_->db.Read([&impl](store::Connection& c) { impl.ReloadRoutes(c); });
    co_return input;
}

boost::asio::awaitable<RouteView> GatewayService::DeleteRoute(std::string id_or_slug) {
    Impl& impl = *impl_;
    auto route = co_await impl_->db.Write([&impl, &id_or_slug](store::Connection& c) {
        auto stored = impl.Find(c, id_or_slug);
        sql::DeleteRoute(c, stored.id);
        impl.Announce(c, 'r', stored.id);
        return stored;
    });
    co_await impl_->db.Read([&impl](store::Connection& c) { impl.ReloadAll(c); });
    co_return route;
}

boost::asio::awaitable<GatewayService::PurchaseOutcome> GatewayService::Buy(PurchaseRequest request) {
    if (std::find(kDurations.begin(), kDurations.end(), request.duration_hours) == kDurations.end())
        throw Error(errc::invalid_argument, "field 'duration_hours' must be one of 1, 12, 24, 168, 720");
    if (request.idempotency_key && (request.idempotency_key->empty() || request.idempotency_key->size() > 200))
        throw Error(errc::invalid_argument, "field 'idempotency_key' must be 1 to 200 characters");
    Impl& impl = *impl_;
    // Two attempts: a concurrent purchase with the same key commits first, and the second attempt replays it.
    for (int attempt = 0;; ++attempt) {
        try {
            auto outcome = co_await impl_->db.Write([&impl, &request](store::Connection& c) {
                const auto route = impl.Find(c, request.route);
                if (!route.enabled) throw Error(errc::conflict, "gateway route '" + route.slug + "' is disabled");
                const auto allowed = std::find(route.allowed_roles.begin(), route.allowed_roles.end(),
                                               request.buyer.role) != route.allowed_roles.end();
                if (!allowed)
                    throw Error(errc::forbidden, "role '" + std::string(auth::RoleName(request.buyer.role)) +
                                                     "' may not use gateway route '" + route.slug + "'");
                if (auto replay = impl.Replay(c, request, route)) return PurchaseOutcome{std::move(*replay), true};
                std::int64_t price = 0;
                if (!route.prices.empty()) {
                    const auto it = route.prices.find(request.duration_hours);
                    if (it == route.prices.end())
                        throw Error(errc::invalid_argument, "field 'duration_hours': route '" + route.slug +
                                                                "' does not sell " +
                                                                std::to_string(request.duration_hours) + " h");
                    price = it->second;
                }
                return PurchaseOutcome{impl.Charge(c, request, route, price), false};
            });
            if (!outcome.replayed) {
                const auto& v = outcome.purchase.token_view;
                impl.cache.PutToken(TokenEntry{v.id, core::Sha256Hex(outcome.purchase.token), v.user_id, v.route_id,
                                               v.expires_epoch, false});
            }
            co_return outcome;
        } catch (const Error& e) {
            if (e.code() != errc::already_exists || !request.idempotency_key || attempt > 0) throw;
        }
    }
}

boost::asio::awaitable<Page<AccessTokenView>> GatewayService::ListTokens(TokenFilter filter, std::size_t limit,
                                                                         std::string cursor) {
    const auto after = store::CheckCursor(cursor);
    const auto now = core::EpochSeconds();
    auto rows = co_await impl_->db.Read([&filter, &after, limit, now](store::Connection& c) {
        return sql::ListTokens(c, filter, now, after, limit + 1);
    });
    co_return store::Paged(std::move(rows), limit);
}

boost::asio::awaitable<Revocation> GatewayService::Revoke(auth::Principal caller, std::string id) {
    Impl& impl = *impl_;
    auto revocation = co_await impl_->db.Write([&impl, &caller, &id](store::Connection& c) {
        auto token = sql::FindToken(c, id);
        // Another user's token is not found for a non-admin: its existence is not theirs to learn.
        if (!token || (token->user_id != caller.user_id && caller.role != auth::Role::admin))
            throw NotFound("access token");
        if (token->revoked_at) throw Error(errc::conflict, "access token is revoked already");
        const auto now = core::Clock::now();
        const auto at = core::FormatRfc3339(now);
        const std::int64_t refund = impl.options.refund_unused ? RefundFor(*token, core::EpochSeconds(now)) : 0;
        if (!sql::RevokeToken(c, token->id, at, refund)) throw Error(errc::conflict, "access token is revoked already");
        if (refund > 0) {
            const auto balance = sql::Credit(c, token->user_id, refund, at);
            sql::InsertTransaction(c, impl.Entry(token->user_id, TxKind::refund, refund, balance, token->id,
                                                 "unused hours of " + token->route_slug, caller.user_id, at));
        }
        impl.vault.Erase(c, SealOwner(token->id));
        impl.Announce(c, 't', token->id);
        token->revoked_at = at;
        token->refunded = refund;
        return Revocation{*token, refund};
    });
    const auto& v = revocation.token_view;
    impl.cache.PutToken(TokenEntry{v.id, {}, v.user_id, v.route_id, v.expires_epoch, true});
    co_return revocation;
}

boost::asio::awaitable<std::int64_t> GatewayService::Balance(std::string user_id) {
    co_return co_await impl_->db.Read([&user_id](store::Connection& c) {
        if (!sql::UserExists(c, user_id)) throw NotFound("user");
        return sql::Balance(c, user_id);
    });
}

boost::asio::awaitable<Page<WalletTransaction>> GatewayService::Transactions(std::string user_id, std::size_t limit,
                                                                             std::string cursor) {
    const auto before = store::CheckCursor(cursor);
    auto rows = co_await impl_->db.Read([&user_id, &before, limit](store::Connection& c) {
        return sql::ListTransactions(c, user_id, before, limit + 1);
    });
    co_return store::Paged(std::move(rows), limit);
}

boost::asio::awaitable<WalletTransaction> GatewayService::TopUp(gateway::TopUp request) {
    if (request.amount == 0 || request.amount > 1'000'000'000'000 || request.amount < -1'000'000'000'000)
        throw Error(errc::invalid_argument, "field 'amount' must be a non-zero whole number of credits up to 10^12");
    if (request.note.size() > 500) throw Error(errc::invalid_argument, "field 'note' must be at most 500 bytes");
    Impl& impl = *impl_;
    co_return co_await impl_->db.Write([&impl, &request](store::Connection& c) {
        if (!sql::UserExists(c, request.user_id)) throw NotFound("user");
        const auto at = core::NowRfc3339();
        std::int64_t balance = 0;
        if (request.amount > 0) {
            balance = sql::Credit(c, request.user_id, request.amount, at);
        } else {
            const auto after = sql::Debit(c, request.user_id, -request.amount, at);
            if (!after)
                throw Error(errc::insufficient_credits, "insufficient_credits: the wallet holds " +
                                                            std::to_string(sql::Balance(c, request.user_id)))
                    .Kind("insufficient_credits");
            balance = *after;
        }
        auto tx = impl.Entry(request.user_id, request.amount > 0 ? TxKind::top_up : TxKind::adjustment, request.amount,
                             balance, std::nullopt, request.note, request.created_by, at);
        sql::InsertTransaction(c, tx);
        return tx;
    });
}

boost::asio::awaitable<std::vector<SessionView>> GatewayService::Sessions(std::optional<std::string> user_id,
                                                                          std::size_t limit) {
    co_return co_await impl_->db.Read(
        [&user_id, limit](store::Connection& c) { return sql::ListSessions(c, user_id, limit); });
}

boost::asio::awaitable<void> GatewayService::FlushSessions(std::vector<SessionView> sessions) {
    if (sessions.empty()) co_return;
    Impl& impl = *impl_;
    co_await impl_->db.Write([&impl, &sessions](store::Connection& c) {
        for (const auto& session : sessions) sql::UpsertSession(c, sql::SessionRow{session, impl.options.instance_id});
    });
}

void GatewayService::LoadBlocking() {
    impl_->db.WithRead([this](store::Connection& c) { impl_->ReloadAll(c); });
}

boost::asio::awaitable<void> GatewayService::Reload() {
    Impl& impl = *impl_;
    co_await impl_->db.Read([&impl](store::Connection& c) { impl.ReloadAll(c); });
}

void GatewayService::ApplyNotification(std::string_view payload) {
    const auto first = payload.find('|');
    const auto second = first == std::string_view::npos ? first : payload.find('|', first + 1);
    if (second == std::string_view::npos || second != first + 2) {
        core::LogWarn("gateway.sync_bad_notification", {{"payload", std::string(payload.substr(0, 200))}});
        return;
    }
    if (payload.substr(0, first) == impl_->options.instance_id) return;  // applied when it was made
    const char kind = payload[first + 1];
    const std::string key(payload.substr(second + 1));
    impl_->db.WithRead([this, kind, &key](store::Connection& c) {
        if (kind == 'r') {
            impl_->ReloadAll(c);
        } else if (kind == 't') {
            if (auto entry = sql::TokenEntryById(c, key)) impl_->cache.PutToken(*entry);
        }
    });
}

void GatewayService::Listen() {
    store::ListenCallbacks callbacks;
    callbacks.message = [this](std::string_view payload) {
        try {
            ApplyNotification(payload);
        } catch (const std::exception& e) {
            core::LogWarn("gateway.sync_failed", {{"error", e.what()}});
        }
    };
    callbacks.connected = [this] {
        try {
            LoadBlocking();
        } catch (const std::exception& e) {
            core::LogWarn("gateway.sync_reload_failed", {{"error", e.what()}});
        }
    };
    callbacks.lost = [](std::string_view why) { core::LogWarn("gateway.sync_lost", {{"error", std::string(why)}}); };
    impl_->subscription =
        impl_->db.Listen(std::string(kGatewayChannel), std::move(callbacks), "gatehouse-listen-gateway");
}

}  // namespace gatehouse::gateway
