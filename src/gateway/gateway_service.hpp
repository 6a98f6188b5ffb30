#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>

#include "gateway/access_cache.hpp"
#include "gateway/gateway_types.hpp"
#include "store/database.hpp"
#include "vault/vault.hpp"

namespace gatehouse::gateway {

struct GatewayOptions {
    bool refund_unused = true;  // a revoked token gives back its unused whole hours
    std::string instance_id;    // tells this instance's notifications from the others'
};

/// The NOTIFY channel of gateway changes (routes, tokens) between instances sharing PostgreSQL.
inline constexpr std::string_view kGatewayChannel = "gatehouse_gateway";

/// Gateway routes, access tokens and wallets. Called from coroutines on I/O executors; database work runs on the
/// store's pools. Expected failures are core::Error: invalid_argument (naming the field), not_found, forbidden
/// (role not allowed), already_exists (slug, host), conflict (route disabled, token revoked, idempotency key
/// reused for another purchase), insufficient_credits.
/// Every change is applied to the AccessCache right after its commit and announced to other instances.
class GatewayService {
  public:
    GatewayService(store::Database& database, const vault::Vault& vault, AccessCache& cache,
                   GatewayOptions options = {});
    ~GatewayService();

    AccessCache& cache() noexcept;
    const AccessCache& cache() const noexcept;

    /// The token `token` names, from memory; the database is asked only about a token this instance has not seen
    /// (bought on another instance a moment ago). nullptr for a token that is unknown, revoked or expired.
    boost::asio::awaitable<std::shared_ptr<LiveToken>> Resolve(std::string token);

    boost::asio::awaitable<Page<RouteView>> ListRoutes(std::size_t limit, std::string cursor);
    /// By id or slug.
    boost::asio::awaitable<RouteView> GetRoute(std::string id_or_slug);
    boost::asio::awaitable<RouteView> CreateRoute(RouteInput input);
    boost::asio::awaitable<RouteView> UpdateRoute(std::string id_or_slug, RouteInput input);
    /// Deletes the route and its tokens (their open connections end).
    boost::asio::awaitable<RouteView> DeleteRoute(std::string id_or_slug);

    /// Charges the route's price and issues a token. A repeated idempotency key answers the first purchase again
    /// (replayed = true) without charging; with another route or duration it is a conflict.
    struct PurchaseOutcome {
        Purchase purchase;
        bool replayed = false;
    };
    boost::asio::awaitable<PurchaseOutcome> Buy(PurchaseRequest request);
    boost::asio::awaitable<Page<AccessTokenView>> ListTokens(TokenFilter filter, std::size_t limit, std::string cursor);
    /// The owner's or an admin's; refunds the unused whole hours when enabled (nothing for an expired token).
    boost::asio::awaitable<Revocation> Revoke(auth::Principal caller, std::string id);

    boost::asio::awaitable<std::int64_t> Balance(std::string user_id);
    boost::asio::awaitable<Page<WalletTransaction>> Transactions(std::string user_id, std::size_t limit,
                                                                 std::string cursor);
    /// amount > 0 adds credits (top_up); amount < 0 takes them (adjustment; insufficient_credits below zero).
    boost::asio::awaitable<WalletTransaction> TopUp(TopUp request);

    /// Usage per token, newest first; `user_id` narrows to one user's tokens.
    boost::asio::awaitable<std::vector<SessionView>> Sessions(std::optional<std::string> user_id, std::size_t limit);
    /// Writes this instance's usage counters (scheduler job).
    boost::asio::awaitable<void> FlushSessions(std::vector<SessionView> sessions);

    /// Blocking, for start-up and resynchronisation: reads every route and live token into the cache.
    void LoadBlocking();
    boost::asio::awaitable<void> Reload();
    /// Applies another instance's change (a NOTIFY payload). Blocking: called on the listener's thread.
    void ApplyNotification(std::string_view payload);
    /// Follows other instances' changes (PostgreSQL; nothing on SQLite) until destroyed; every (re)connection
    /// reloads everything, so nothing missed while disconnected stays missed.
    void Listen();

    struct Impl;

  private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace gatehouse::gateway
