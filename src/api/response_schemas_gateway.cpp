// The gateway's response schemas: routes, access tokens, wallets, sessions and the identity keys.
#include "api/schema_builders.hpp"
#include "auth/principal.hpp"
#include "gateway/gateway_types.hpp"

namespace gatehouse::api {
namespace {

using namespace schema;

json::object GatewayRouteSchema() {
    json::object prices{{"type", "object"},
                        {"description",
                         "Credits per duration in hours (\"1\", \"12\", \"24\", \"168\", \"720\"); "
                         "a duration not listed is not sold"},
                        {"additionalProperties", Int()}};
    json::object headers{{"type", "object"},
                         {"description", "Headers added to every upstream request"},
                         {"additionalProperties", Str()}};
    return Obj({{"id", Str()},
                {"slug", Str("The route is reached under /gw/{slug}/")},
                {"name", Str()},
                {"upstream_url", Str()},
                {"host", OrNull(Str("A Host name whose requests go to this route at its root"))},
                {"path", Str("/gw/{slug}/")},
                {"allowed_roles", ArrayOf(Enum(auth::kRoleNames))},
                {"prices", std::move(prices)},
                {"websocket", Bool()},
                {"rewrite", Bool()},
                {"pass_access_token_header", Bool()},
                {"identity_header", OrNull(Str())},
                {"allowed_origins", ArrayOf(Str())},
                {"extra_headers", std::move(headers)},
                {"ca_file", OrNull(Str())},
                {"enabled", Bool()},
                {"created_at", Time()},
                {"updated_at", Time()}});
}

json::object AccessTokenSchema(bool purchase, bool revocation) {
    auto s = Obj({{"id", Str()},
                  {"user_id", Str()},
                  {"route", Str("The route's slug")},
                  {"route_id", Str()},
                  {"duration_hours", Int()},
                  {"price", Int("Credits paid")},
                  {"created_at", Time()},
                  {"expires_at", Time()},
                  {"revoked_at", OrNull(Time())},
                  {"refunded", Int("Credits given back when it was revoked")},
                  {"active", Bool("Neither revoked nor expired")}});
    auto& properties = s["properties"].as_object();
    auto& required = s["required"].as_array();
    if (purchase) {
        properties["token"] = Str("64 URL-safe characters; shown only here");
        required.emplace_back("token");
    }
    if (revocation) {
        properties["refund"] = Int("Credits given back for the unused whole hours");
        required.emplace_back("refund");
    }
    return s;
}

}  // namespace

json::object GatewaySchemas() {
    return {
        {"GatewayRoute", GatewayRouteSchema()},
        {"GatewayRoutePage", Page("GatewayRoute")},
        {"AccessToken", AccessTokenSchema(false, false)},
        {"AccessTokenPurchase", AccessTokenSchema(true, false)},
        {"AccessTokenRevocation", AccessTokenSchema(false, true)},
        {"AccessTokenPage", Page("AccessToken")},
        {"Wallet", Obj({{"user_id", Str()}, {"balance", Int("Whole credits, never below 0")}})},
        {"WalletTransaction", Obj({{"id", Str()},
                                   {"user_id", Str()},
                                   {"kind", Enum(gateway::kTxKinds)},
                                   {"amount", Int("What the balance changed by (negative for a purchase)")},
                                   {"balance_after", Int()},
                                   {"token_id", OrNull(Str())},
                                   {"note", Str()},
                                   {"created_by", Str("User id")},
                                   {"created_at", Time()}})},
        {"WalletTransactionPage", Page("WalletTransaction")},
        {"Jwks", Obj({{"keys", ArrayOf(Obj({{"kty", Str()},
                                            {"crv", Str()},
                                            {"x", Str()},
                                            {"y", Str()},
                                            {"kid", Str()},
                                            {"use", Str()},
                                            {"alg", Str()}}))}},
                     "RFC 7517: the keys that sign the gateway's identity assertions")},
        {"GatewayBrowserSession", Obj({{"user_id", Str()},
                                       {"token_id", Str()},
                                       {"route", Str("The route's slug")},
                                       {"route_id", Str()},
                                       {"path", Str("Where the route's pages are: /gw/{slug}/, or / on its own host")},
                                       {"expires_at", Time()},
                                       {"remaining_seconds", Int()}})},
        {"GatewaySessionList", Obj({{"items", ArrayOf(Obj({{"token_id", Str()},
                                                           {"user_id", Str()},
                                                           {"route_id", Str()},
                                                           {"first_seen", Time()},
                                                           {"last_seen", Time()},
                                                           {"requests", Int()},
                                                           {"bytes_in", Int("Request bytes from clients")},
                                                           {"bytes_out", Int("Response bytes to clients")},
                                                           {"client_address", Str()},
                                                           {"user_agent", Str()},
                                                           {"open_websockets", Int()}}))}})}};
}

}  // namespace gatehouse::api
