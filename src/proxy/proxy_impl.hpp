#pragma once
// What the proxy's translation units share. Included by gateway_proxy.cpp, http_relay.cpp and ws_tunnel.cpp.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>

#include "http/types.hpp"
#include "proxy/gateway_proxy.hpp"
#include "proxy/header_rules.hpp"

namespace gatehouse::proxy::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
inline constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

/// A request the proxy let through: its route, its token and where it goes.
struct Admitted {
    std::shared_ptr<const gateway::RouteView> route;
    std::shared_ptr<gateway::LiveToken> token;
    std::string token_text;
    Mount mount;
    UpstreamTarget target;
    std::string upstream_target;  // path and query on the upstream
    std::string client_host;      // the Host the client asked for
    std::string assertion;        // the signed identity assertion (routes with an identity_header)
};

/// Sets the headers of a request on its way upstream: hop-by-hop headers, the gateway's own cookie and token
/// dropped; Host, X-Forwarded-*, the route's extra headers (and its token header) set. `keep_upgrade` keeps a
/// WebSocket upgrade's Upgrade and Connection.
void PrepareUpstreamRequest(bhttp::request_header<>& header, const Admitted& admitted, const std::string& peer,
                            bool client_tls, bool keep_upgrade);
/// Sets the headers of a response on its way to the client: hop-by-hop headers dropped, Location and Set-Cookie
/// mapped under the route's prefix.
void PrepareClientResponse(bhttp::response_header<>& header, const Mount& mount, bool keep_upgrade);

/// The Host header value for an upstream.
std::string HostHeader(const UpstreamTarget& target);

}  // namespace gatehouse::proxy::detail

namespace gatehouse::proxy {

struct GatewayProxy::Impl {
    Impl(gateway::GatewayService& g, const auth::AuthView& a, const gateway::IdentityKey& k, ProxyOptions o)
        : gateway(g), auth(a), identity_key(k), options(o), pool(o.upstream) {}

    gateway::GatewayService& gateway;
    const auth::AuthView& auth;
    const gateway::IdentityKey& identity_key;
    ProxyOptions options;
    UpstreamPool pool;
    UsageBook usage;

    /// Writes a problem+json answer; returns whether the connection may go on. `before_body`: the connection's
    /// parser still holds the request (its body unread); otherwise the connection closes after the answer.
    boost::asio::awaitable<bool> Refuse(http::LentConnection& connection, http::Status status, std::string detail,
                                        std::string kind = {}, bool before_body = true);
    boost::asio::awaitable<bool> Redirect(http::LentConnection& connection, std::string location);
    boost::asio::awaitable<bool> RelayHttp(http::LentConnection& connection, detail::Admitted& admitted);
    boost::asio::awaitable<bool> Tunnel(http::LentConnection& connection, detail::Admitted& admitted);
};

}  // namespace gatehouse::proxy
