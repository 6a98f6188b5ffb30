#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/principal.hpp"
#include "store/paging.hpp"

namespace gatehouse::gateway {

using store::Page;

/// The only durations an access token is sold for, in hours.
inline constexpr std::array<int, 5> kDurations = {1, 12, 24, 168, 720};

/// An upstream web app reached through the proxy at /gw/{slug}/..., or at the root of its own `host`.
struct RouteView {
    std::string id;
    std::string slug;
    std::string name;
    std::string upstream_url;               // http(s)://host[:port][/base]
    std::optional<std::string> host;        // a Host name whose requests go to this route at its root
    std::vector<auth::Role> allowed_roles;  // who may buy (and use) its tokens
    std::map<int, std::int64_t> prices;     // duration (hours) -> credits; a duration not listed is not sold
    bool websocket = true;
    bool rewrite = false;
    bool pass_access_token_header = false;
    std::optional<std::string> identity_header;  // header carrying a signed identity assertion
    std::vector<std::string> allowed_origins;    // WebSocket Origins; empty: same origin only
    std::vector<std::pair<std::string, std::string>> extra_headers;
    std::optional<std::string> ca_file;  // CA bundle to verify an HTTPS upstream (system roots otherwise)
    bool enabled = true;
    std::string created_at;
    std::string updated_at;
};

/// What a create or a full replace says (every field of RouteView but the bookkeeping).
using RouteInput = RouteView;

/// An access token as it is listed (never the token itself).
struct AccessTokenView {
    std::string id;
    std::string user_id;
    std::string route_id;
    std::string route_slug;
    int duration_hours = 0;
    std::int64_t price = 0;
    std::string created_at;
    std::string expires_at;
    std::int64_t expires_epoch = 0;
    std::optional<std::string> revoked_at;
    std::int64_t refunded = 0;
};

/// A purchase's answer: the token is shown here only.
struct Purchase {
    AccessTokenView token_view;
    std::string token;
};

struct PurchaseRequest {
    auth::Principal buyer;
    std::string route;  // slug or id
    int duration_hours = 0;
    std::optional<std::string> idempotency_key;
};

struct TokenFilter {
    bool active_only = false;
    std::optional<std::string> route;    // slug or id
    std::optional<std::string> user_id;  // nullopt with all: everyone's
};

struct Revocation {
    AccessTokenView token_view;
    std::int64_t refund = 0;
};

enum class TxKind { top_up, purchase, refund, adjustment };
inline constexpr std::string_view kTxKinds[] = {"top_up", "purchase", "refund", "adjustment"};
std::string_view Name(TxKind kind) noexcept;

struct WalletTransaction {
    std::string id;
    std::string user_id;
    TxKind kind = TxKind::top_up;
    std::int64_t amount = 0;  // signed: what the balance changed by
    std::int64_t balance_after = 0;
    std::optional<std::string> token_id;
    std::string note;
    std::string created_by;  // user id
    std::string created_at;
};

struct TopUp {
    std::string user_id;
    std::int64_t amount = 0;  // > 0: top_up; < 0: adjustment
    std::string note;
    std::string created_by;
};

/// An access token as the proxy checks it, from memory.
struct TokenEntry {
    std::string id;
    std::string hash;
    std::string user_id;
    std::string route_id;
    std::int64_t expires_epoch = 0;
    bool revoked = false;
};

/// Usage of one access token through the proxy, summed over every instance.
struct SessionView {
    std::string token_id;
    std::string user_id;
    std::string route_id;
    std::string first_seen;
    std::string last_seen;
    std::int64_t requests = 0;
    std::int64_t bytes_in = 0;
    std::int64_t bytes_out = 0;
    std::string client_address;
    std::string user_agent;
    std::int64_t open_websockets = 0;
};

}  // namespace gatehouse::gateway
