#pragma once
// The gateway module's SQL; blocking, called inside Database::Read/Write.

#include "gateway/gateway_types.hpp"
#include "store/database.hpp"

namespace gatehouse::gateway::sql {

using store::Connection;

std::optional<RouteView> FindRoute(Connection& c, std::string_view id_or_slug);
std::vector<RouteView> ListRoutes(Connection& c, std::string_view after_id, std::size_t limit);
std::vector<RouteView> AllRoutes(Connection& c);
/// Throw core::Error(already_exists) for a taken slug or host.
void InsertRoute(Connection& c, const RouteView& route);
void UpdateRoute(Connection& c, const RouteView& route);
bool DeleteRoute(Connection& c, std::string_view id);

std::optional<AccessTokenView> FindToken(Connection& c, std::string_view id);
std::optional<AccessTokenView> FindTokenByKey(Connection& c, std::string_view user_id, std::string_view key);
/// The request a purchase with an idempotency key recorded.
struct TokenRow {
    AccessTokenView view;
    std::string hash;
    std::optional<std::string> idempotency_key;
};
/// Throw core::Error(already_exists) for an idempotency key the user used already.
void InsertToken(Connection& c, const TokenRow& token);
std::vector<AccessTokenView> ListTokens(Connection& c, const TokenFilter& filter, std::int64_t now_epoch,
                                        std::string_view after_id, std::size_t limit);
/// Marks the token revoked with its refund; false when it was revoked already.
bool RevokeToken(Connection& c, std::string_view id, std::string_view at, std::int64_t refund);

/// Tokens the proxy may accept: not revoked, not expired at `now_epoch`.
std::vector<TokenEntry> LiveTokens(Connection& c, std::int64_t now_epoch);
std::optional<TokenEntry> TokenEntryByHash(Connection& c, std::string_view hash);
std::optional<TokenEntry> TokenEntryById(Connection& c, std::string_view id);

std::int64_t Balance(Connection& c, std::string_view user_id);
/// Takes `amount` (> 0) from the wallet when it holds that much; the new balance, nullopt when it does not.
std::optional<std::int64_t> Debit(Connection& c, std::string_view user_id, std::int64_t amount, std::string_view at);
/// Adds `amount` (> 0); the new balance. Creates the wallet.
std::int64_t Credit(Connection& c, std::string_view user_id, std::int64_t amount, std::string_view at);
void InsertTransaction(Connection& c, const WalletTransaction& tx);
/// Newest first: ids before `before_id` (empty: from the newest).
std::vector<WalletTransaction> ListTransactions(Connection& c, std::string_view user_id, std::string_view before_id,
                                                std::size_t limit);
bool UserExists(Connection& c, std::string_view user_id);

/// One instance's usage counters of one token (absolute values; replaced on every flush).
struct SessionRow {
    SessionView view;
    std::string instance_id;
};
void UpsertSession(Connection& c, const SessionRow& row);
/// Usage per token summed over instances; `user_id` narrows to one user's tokens.
std::vector<SessionView> ListSessions(Connection& c, const std::optional<std::string>& user_id, std::size_t limit);

}  // namespace gatehouse::gateway::sql
