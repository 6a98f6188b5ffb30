#include "gateway/gateway_sql.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/errc.hpp"
#include "core/ids.hpp"

namespace gatehouse::gateway::sql {
namespace {

namespace json = boost::json;
using store::Nullable;
using store::Text;
using store::Value;

constexpr std::string_view kRouteColumns =
    "id, slug, name, upstream_url, host, allowed_roles, prices, websocket, rewrite, pass_access_token_header, "
    "identity_header, allowed_origins, extra_headers, ca_file, enabled, created_at, updated_at";
constexpr std::string_view kTokenColumns =
    "t.id, t.user_id, t.route_id, r.slug, t.duration_hours, t.price, t.created_at, t.expires_at, t.expires_epoch, "
    "t.revoked_at, t.refunded";
constexpr std::string_view kTxColumns =
    "id, user_id, kind, amount, balance_after, token_id, note, created_by, created_at";

Value Int(std::int64_t v) { return Value(v); }

std::string Column(std::string_view columns) { return std::string(columns); }

json::value ParseStored(const std::string& text) {
    boost::system::error_code ec;
    auto value = json::parse(text, ec);
    // The store only ever holds what this module wrote: anything else is a bug, not input.
    if (ec) throw core::Error(core::errc::internal, "internal error", "unreadable gateway route JSON");
    return value;
}

std::string RolesJson(const std::vector<auth::Role>& roles) {
    json::array array;
    for (auto role : roles) array.emplace_back(auth::RoleName(role));
    return json::serialize(array);
}

std::string PricesJson(const std::map<int, std::int64_t>& prices) {
    json::object object;
    for (const auto& [hours, credits] : prices) object[std::to_string(hours)] = credits;
    return json::serialize(object);
}

std::string StringsJson(const std::vector<std::string>& strings) {
    json::array array;
    for (const auto& s : strings) array.emplace_back(s);
    return json::serialize(array);
}

std::string HeadersJson(const std::vector<std::pair<std::string, std::string>>& headers) {
    json::array array;
    for (const auto& [name, value] : headers) array.push_back(json::array{json::string(name), json::string(value)});
    return json::serialize(array);
}

RouteView ToRoute(const store::Row& r) {
    RouteView route;
    route.id = r.String(0);
    route.slug = r.String(1);
    route.name = r.String(2);
    route.upstream_url = r.String(3);
    route.host = r.OptString(4);
    // Held in locals: a range-for over a member of a temporary would read a destroyed value.
    const auto roles = ParseStored(r.String(5));
    for (const auto& role : roles.as_array())
        if (auto parsed = auth::ParseRole(role.as_string())) route.allowed_roles.push_back(*parsed);
    const auto prices = ParseStored(r.String(6));
    for (const auto& [hours, credits] : prices.as_object())
        route.prices[std::stoi(std::string(hours))] = credits.to_number<std::int64_t>();
    route.websocket = r.Bool(7);
    route.rewrite = r.Bool(8);
    route.pass_access_token_header = r.Bool(9);
    route.identity_header = r.OptString(10);
    const auto origins = ParseStored(r.String(11));
    for (const auto& origin : origins.as_array()) route.allowed_origins.emplace_back(origin.as_string());
    const auto headers = ParseStored(r.String(12));
    for (const auto& pair : headers.as_array())
        route.extra_headers.emplace_back(std::string(pair.as_array().at(0).as_string()),
                                         std::string(pair.as_array().at(1).as_string()));
    route.ca_file = r.OptString(13);
    route.enabled = r.Bool(14);
    route.created_at = r.String(15);
    route.updated_at = r.String(16);
    return route;
}

std::vector<Value> RouteValues(const RouteView& r) {
    return {Text(r.id),
            Text(r.slug),
            Text(r.name),
            Text(r.upstream_url),
            Nullable(r.host),
            Text(RolesJson(r.allowed_roles)),
            Text(PricesJson(r.prices)),
            store::Bool(r.websocket),
            store::Bool(r.rewrite),
            store::Bool(r.pass_access_token_header),
            Nullable(r.identity_header),
            Text(StringsJson(r.allowed_origins)),
            Text(HeadersJson(r.extra_headers)),
            Nullable(r.ca_file),
            store::Bool(r.enabled),
            Text(r.created_at),
            Text(r.updated_at)};
}

AccessTokenView ToToken(const store::Row& r) {
    AccessTokenView t;
    t.id = r.String(0);
    t.user_id = r.String(1);
    t.route_id = r.String(2);
    t.route_slug = r.String(3);
    t.duration_hours = static_cast<int>(r.Int(4));
    t.price = r.Int(5);
    t.created_at = r.String(6);
    t.expires_at = r.String(7);
    t.expires_epoch = r.Int(8);
    t.revoked_at = r.OptString(9);
    t.refunded = r.Int(10);
    return t;
}

TokenEntry ToEntry(const store::Row& r) {
    return TokenEntry{r.String(0), r.String(1), r.String(2), r.String(3), r.Int(4), !r.IsNull(5)};
}

constexpr std::string_view kEntryColumns = "id, token_hash, user_id, route_id, expires_epoch, revoked_at";

WalletTransaction ToTx(const store::Row& r) {
    WalletTransaction tx;
    tx.id = r.String(0);
    tx.user_id = r.String(1);
    const auto& kind = r.String(2);
    for (std::size_t i = 0; i < std::size(kTxKinds); ++i)
        if (kTxKinds[i] == kind) tx.kind = static_cast<TxKind>(i);
    tx.amount = r.Int(3);
    tx.balance_after = r.Int(4);
    tx.token_id = r.OptString(5);
    tx.note = r.String(6);
    tx.created_by = r.String(7);
    tx.created_at = r.String(8);
    return tx;
}

template <class T, class F>
std::vector<T> All(const store::ResultSet& result, F convert) {
    std::vector<T> items;
    items.reserve(result.rows.size());
    for (const auto& row : result.rows) items.push_back(convert(row));
    return items;
}

std::string TokenSelect() {
    return "SELECT " + Column(kTokenColumns) + " FROM access_tokens t JOIN gateway_routes r ON r.id = t.route_id ";
}

}  // namespace

std::optional<RouteView> FindRoute(Connection& c, std::string_view id_or_slug) {
    const auto r = c.Execute("SELECT " + Column(kRouteColumns) + " FROM gateway_routes WHERE id = ? OR slug = ?",
                             {Text(id_or_slug), Text(id_or_slug)});
    if (r.empty()) return std::nullopt;
    return ToRoute(r.rows.front());
}

std::vector<RouteView> ListRoutes(Connection& c, std::string_view after_id, std::size_t limit) {
    return All<RouteView>(
        c.Execute("SELECT " + Column(kRouteColumns) + " FROM gateway_routes WHERE id > ? ORDER BY id LIMIT ?",
                  {Text(after_id), Int(static_cast<std::int64_t>(limit))}),
        ToRoute);
}

std::vector<RouteView> AllRoutes(Connection& c) {
    return All<RouteView>(c.Execute("SELECT " + Column(kRouteColumns) + " FROM gateway_routes ORDER BY id"), ToRoute);
}

void InsertRoute(Connection& c, const RouteView& route) {
    const auto values = RouteValues(route);
    c.Execute("INSERT INTO gateway_routes (" + Column(kRouteColumns) +
                  ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              values);
}

void UpdateRoute(Connection& c, const RouteView& route) {
    auto values = RouteValues(route);
    // Every column but id and created_at, then the id.
    std::vector<Value> params(values.begin() + 1, values.end());
    params.erase(params.begin() + 14);
    params.push_back(Text(route.id));
    c.Execute(
        "UPDATE gateway_routes SET slug = ?, name = ?, upstream_url = ?, host = ?, allowed_roles = ?, prices = ?, "
        "websocket = ?, rewrite = ?, pass_access_token_header = ?, identity_header = ?, allowed_origins = ?, "
        "extra_headers = ?, ca_file = ?, enabled = ?, updated_at = ? WHERE id = ?",
        params);
}

bool DeleteRoute(Connection& c, std::string_view id) {
    return c.Execute("DELETE FROM gateway_routes WHERE id = ?", {Text(id)}).affected > 0;
}

std::optional<AccessTokenView> FindToken(Connection& c, std::string_view id) {
    const auto r = c.Execute(TokenSelect() + "WHERE t.id = ?", {Text(id)});
    if (r.empty()) return std::nullopt;
    return ToToken(r.rows.front());
}

std::optional<AccessTokenView> FindTokenByKey(Connection& c, std::string_view user_id, std::string_view key) {
    const auto r =
        c.Execute(TokenSelect() + "WHERE t.user_id = ? AND t.idempotency_key = ?", {Text(user_id), Text(key)});
    if (r.empty()) return std::nullopt;
    return ToToken(r.rows.front());
}

void InsertToken(Connection& c, const TokenRow& token) {
    const auto& t = token.view;
    c.Execute(
        "INSERT INTO access_tokens (id, user_id, route_id, token_hash, duration_hours, price, created_at, expires_at, "
        "expires_epoch, idempotency_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {Text(t.id), Text(t.user_id), Text(t.route_id), Text(token.hash), Int(t.duration_hours), Int(t.price),
         Text(t.created_at), Text(t.expires_at), Int(t.expires_epoch), Nullable(token.idempotency_key)});
}

std::vector<AccessTokenView> ListTokens(Connection& c, const TokenFilter& filter, std::int64_t now_epoch,
                                        std::string_view after_id, std::size_t limit) {
    std::string where = "WHERE t.id > ?";
    std::vector<Value> params{Text(after_id)};
    if (filter.user_id) {
        where += " AND t.user_id = ?";
        params.push_back(Text(*filter.user_id));
    }
    if (filter.route) {
        where += " AND (r.id = ? OR r.slug = ?)";
        params.push_back(Text(*filter.route));
        params.push_back(Text(*filter.route));
    }
    if (filter.active_only) {
        where += " AND t.revoked_at IS NULL AND t.expires_epoch > ?";
        params.push_back(Int(now_epoch));
    }
    params.push_back(Int(static_cast<std::int64_t>(limit)));
    return All<AccessTokenView>(c.Execute(TokenSelect() + where + " ORDER BY t.id LIMIT ?", params), ToToken);
}

bool RevokeToken(Connection& c, std::string_view id, std::string_view at, std::int64_t refund) {
    return c.Execute("UPDATE access_tokens SET revoked_at = ?, refunded = ? WHERE id = ? AND revoked_at IS NULL",
                     {Text(at), Int(refund), Text(id)})
               .affected > 0;
}

std::vector<TokenEntry> LiveTokens(Connection& c, std::int64_t now_epoch) {
    return All<TokenEntry>(c.Execute("SELECT " + Column(kEntryColumns) +
                                         " FROM access_tokens WHERE revoked_at IS NULL AND expires_epoch > ?",
                                     {Int(now_epoch)}),
                           ToEntry);
}

std::optional<TokenEntry> TokenEntryByHash(Connection& c, std::string_view hash) {
    const auto r =
        c.Execute("SELECT " + Column(kEntryColumns) + " FROM access_tokens WHERE token_hash = ?", {Text(hash)});
    if (r.empty()) return std::nullopt;
    return ToEntry(r.rows.front());
}

std::optional<TokenEntry> TokenEntryById(Connection& c, std::string_view id) {
    const auto r = c.Execute("SELECT " + Column(kEntryColumns) + " FROM access_tokens WHERE id = ?", {Text(id)});
    if (r.empty()) return std::nullopt;
    return ToEntry(r.rows.front());
}

std::int64_t Balance(Connection& c, std::string_view user_id) {
    const auto r = c.Execute("SELECT balance FROM wallets WHERE user_id = ?", {Text(user_id)});
    return r.empty() ? 0 : r.rows.front().Int(0);
}

std::optional<std::int64_t> Debit(Connection& c, std::string_view user_id, std::int64_t amount, std::string_view at) {
    // One conditional statement: under READ COMMITTED, PostgreSQL re-checks the condition on the row a concurrent
    // purchase just changed, so two purchases can never both spend the same credits.
    const auto r = c.Execute(
        "UPDATE wallets SET balance = balance - ?, updated_at = ? WHERE user_id = ? AND balance >= ? RETURNING balance",
        {Int(amount), Text(at), Text(user_id), Int(amount)});
    if (r.empty()) return std::nullopt;
    return r.rows.front().Int(0);
}

std::int64_t Credit(Connection& c, std::string_view user_id, std::int64_t amount, std::string_view at) {
    const auto r = c.Execute(
        "INSERT INTO wallets (user_id, balance, updated_at) VALUES (?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET "
        "balance = wallets.balance + excluded.balance, updated_at = excluded.updated_at RETURNING balance",
        {Text(user_id), Int(amount), Text(at)});
    return r.rows.at(0).Int(0);
}

void InsertTransaction(Connection& c, const WalletTransaction& tx) {
    c.Execute("INSERT INTO wallet_transactions (" + Column(kTxColumns) + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
              {Text(tx.id), Text(tx.user_id), Text(Name(tx.kind)), Int(tx.amount), Int(tx.balance_after),
               Nullable(tx.token_id), Text(tx.note), Text(tx.created_by), Text(tx.created_at)});
}

std::vector<WalletTransaction> ListTransactions(Connection& c, std::string_view user_id, std::string_view before_id,
                                                std::size_t limit) {
    std::string sql = "SELECT " + Column(kTxColumns) + " FROM wallet_transactions WHERE user_id = ?";
    std::vector<Value> params{Text(user_id)};
    if (!before_id.empty()) {
        sql += " AND id < ?";
        params.push_back(Text(before_id));
    }
    sql += " ORDER BY id DESC LIMIT ?";
    params.push_back(Int(static_cast<std::int64_t>(limit)));
    return All<WalletTransaction>(c.Execute(sql, params), ToTx);
}

bool UserExists(Connection& c, std::string_view user_id) {
    return !c.Execute("SELECT 1 FROM users WHERE id = ?", {Text(user_id)}).empty();
}

void UpsertSession(Connection& c, const SessionRow& row) {
    const auto& s = row.view;
    c.Execute(
        "INSERT INTO proxy_sessions (token_id, instance_id, user_id, route_id, first_seen, last_seen, requests, "
        "bytes_in, bytes_out, client_address, user_agent, open_websockets) "
        "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM access_tokens WHERE id = ?) "
        "ON CONFLICT (token_id, instance_id) DO UPDATE SET last_seen = excluded.last_seen, "
        "requests = excluded.requests, bytes_in = excluded.bytes_in, bytes_out = excluded.bytes_out, "
        "client_address = excluded.client_address, user_agent = excluded.user_agent, "
        "open_websockets = excluded.open_websockets",
        {Text(s.token_id), Text(row.instance_id), Text(s.user_id), Text(s.route_id), Text(s.first_seen),
         Text(s.last_seen), Int(s.requests), Int(s.bytes_in), Int(s.bytes_out), Text(s.client_address),
         Text(s.user_agent), Int(s.open_websockets), Text(s.token_id)});
}

std::vector<SessionView> ListSessions(Connection& c, const std::optional<std::string>& user_id, std::size_t limit) {
    // The latest client address and user agent are those of the instance that saw the token last.
    std::string sql =
        "SELECT s.token_id, MIN(s.user_id), MIN(s.route_id), MIN(s.first_seen), MAX(s.last_seen), "
        "CAST(SUM(s.requests) AS BIGINT), CAST(SUM(s.bytes_in) AS BIGINT), CAST(SUM(s.bytes_out) AS BIGINT), "
        "CAST(SUM(s.open_websockets) AS BIGINT), "
        "(SELECT l.client_address FROM proxy_sessions l WHERE l.token_id = s.token_id ORDER BY l.last_seen DESC "
        "LIMIT 1), "
        "(SELECT l.user_agent FROM proxy_sessions l WHERE l.token_id = s.token_id ORDER BY l.last_seen DESC LIMIT 1) "
        "FROM proxy_sessions s";
    std::vector<Value> params;
    if (user_id) {
        sql += " WHERE s.user_id = ?";
        params.push_back(Text(*user_id));
    }
    sql += " GROUP BY s.token_id ORDER BY MAX(s.last_seen) DESC LIMIT ?";
    params.push_back(Int(static_cast<std::int64_t>(limit)));
    return All<SessionView>(c.Execute(sql, params), [](const store::Row& r) {
        SessionView s;
        s.token_id = r.String(0);
        s.user_id = r.String(1);
        s.route_id = r.String(2);
        s.first_seen = r.String(3);
        s.last_seen = r.String(4);
        s.requests = r.Int(5);
        s.bytes_in = r.Int(6);
        s.bytes_out = r.Int(7);
        s.open_websockets = r.Int(8);
        s.client_address = r.OptString(9).value_or("");
        s.user_agent = r.OptString(10).value_or("");
        return s;
    });
}

}  // namespace gatehouse::gateway::sql
