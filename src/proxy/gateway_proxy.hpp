#pragma once

#include <memory>

#include "auth/auth_view.hpp"
#include "gateway/gateway_service.hpp"
#include "gateway/identity_key.hpp"
#include "http/takeover.hpp"
#include "metrics/registry.hpp"
#include "proxy/upstream.hpp"
#include "proxy/usage.hpp"

namespace gatehouse::proxy {

struct ProxyOptions {
    UpstreamOptions upstream;
    std::chrono::seconds read_timeout{60};  // an upstream's response header, and each piece of a body either way
    std::size_t rewrite_max_bytes = 8 * 1024 * 1024;
};

/// The cookie a browser holds its access token in (set by POST /gw/authenticate).
inline constexpr std::string_view kAccessCookie = "gatehouse_access";

/// The authenticating reverse proxy: every request under /gw/{slug}/ (or at the root of a route's own host) is
/// checked against an access token for its route, from memory, then streamed to the route's upstream and back;
/// WebSocket upgrades are tunnelled and closed with 4401 within a second of their token's end.
class GatewayProxy final : public http::Takeover {
  public:
    /// `identity_key` signs the identity assertions of routes with an identity_header.
    GatewayProxy(gateway::GatewayService& gateway, const auth::AuthView& auth, const gateway::IdentityKey& identity_key,
                 ProxyOptions options, metrics::Registry& registry);
    ~GatewayProxy() override;

    bool Wants(const boost::beast::http::request_header<>& header) const override;
    boost::asio::awaitable<bool> Serve(http::LentConnection& connection) override;

    UsageBook& usage() noexcept;

    struct Impl;

  private:
    std::unique_ptr<Impl> impl_;
};

/// Whether `path` (without its query) is one of the gateway's own pages: /gw/authenticate, /gw/status, /gw/logout.
bool IsGatewayPage(std::string_view path);

}  // namespace gatehouse::proxy
