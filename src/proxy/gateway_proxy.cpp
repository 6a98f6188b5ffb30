#include "proxy/gateway_proxy.hpp"

#include <boost/beast/http/empty_body.hpp>
#include <unordered_map>

#include "core/log.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "http/problem.hpp"
#include "proxy/proxy_impl.hpp"

namespace gatehouse::proxy {

using detail::kTuple;
namespace bhttp = detail::bhttp;

namespace {

constexpr std::string_view kPrefix = "/gw/";

std::string_view PathOf(std::string_view target) { return target.substr(0, target.find('?')); }

std::string_view QueryOf(std::string_view target) {
    const auto at = target.find('?');
    return at == std::string_view::npos ? std::string_view{} : target.substr(at + 1);
}

bool IsUpgrade(const bhttp::request_header<>& header) {
    if (!core::IEquals(header[bhttp::field::upgrade], "websocket")) return false;
    for (const auto& option : ConnectionOptions(header[bhttp::field::connection]))
        if (option == "upgrade") return true;
    return false;
}

// The token of a request: the X-Access-Token header, the gatehouse_access cookie, or (WebSocket upgrades only, as
// browsers cannot set headers on them) ?token=.
std::string TokenOf(const bhttp::request_header<>& header, std::string_view query, bool upgrade) {
    if (const auto value = header["X-Access-Token"]; !value.empty()) return std::string(value);
    const auto [first, last] = header.equal_range(bhttp::field::cookie);
    for (auto it = first; it != last; ++it)
        if (auto cookie = CookieValue(it->value(), kAccessCookie)) return *cookie;
    if (upgrade)
        if (auto value = http::FormValue(query, "token")) return *value;
    return {};
}

// What a route's upstream URL says, worked out once per route version and I/O thread (the shared_ptr keeps the
// route alive, so its address cannot name another route meanwhile).
struct RouteUpstream {
    std::shared_ptr<const gateway::RouteView> route;
    UpstreamTarget target;
    std::string origin;
    std::string base;
};

const RouteUpstream& UpstreamOf(const std::shared_ptr<const gateway::RouteView>& route) {
    thread_local std::unordered_map<const gateway::RouteView*, RouteUpstream> known;
    if (const auto it = known.find(route.get()); it != known.end()) return it->second;
    if (known.size() >= 1024) known.clear();
    RouteUpstream derived{route, TargetOf(route->upstream_url, route->ca_file), OriginOf(route->upstream_url), {}};
    const auto& url = route->upstream_url;
    const auto base_start = url.find('/', url.find("://") + 3);
    if (base_start != std::string::npos) derived.base = url.substr(base_start);
    return known.emplace(route.get(), std::move(derived)).first->second;
}

// The identity assertion of a token's user on a route: signed once a minute per token and I/O thread, not on
// every request (an ES256 signature costs tens of microseconds). It lives at most five minutes, never past the
// token.
const std::string& AssertionFor(const gateway::IdentityKey& key, const gateway::RouteView& route,
                                const gateway::LiveToken& token, const auth::UserEntry& user) {
    struct Signed {
        std::string text;
        std::int64_t issued = 0;
        auth::Role role = auth::Role::viewer;
        std::string route_id;
    };
    thread_local std::unordered_map<std::string, Signed> known;
    const auto now = core::EpochSeconds();
    auto& slot = known[token.entry.id];
    if (!slot.text.empty() && now - slot.issued < 60 && slot.role == user.role && slot.route_id == route.id)
        return slot.text;
    if (known.size() > 10000) {
        known.clear();
        return AssertionFor(key, route, token, user);
    }
    const auto expires = std::min<std::int64_t>(token.expires_epoch.load(), now + 300);
    slot.text = key.Sign({{"iss", "gatehouse"},
                          {"aud", route.slug},
                          {"sub", user.id},
                          {"name", user.username},
                          {"role", auth::RoleName(user.role)},
                          {"route", route.slug},
                          {"token_id", token.entry.id},
                          {"iat", now},
                          {"exp", expires}});
    slot.issued = now;
    slot.role = user.role;
    slot.route_id = route.id;
    return slot.text;
}

bool Allowed(const gateway::RouteView& route, auth::Role role) {
    return std::find(route.allowed_roles.begin(), route.allowed_roles.end(), role) != route.allowed_roles.end();
}

// A WebSocket's Origin: none (not a browser), the gateway's own, or one the route allows.
bool OriginAllowed(const gateway::RouteView& route, std::string_view origin, std::string_view host, bool tls) {
    if (origin.empty()) return true;
    const auto normal = OriginOf(origin);
    for (const auto& allowed : route.allowed_origins)
        if (allowed == "*" || OriginOf(allowed) == normal) return true;
    return !normal.empty() && normal == OriginOf(std::string(tls ? "https://" : "http://") + std::string(host));
}

}  // namespace

bool IsGatewayPage(std::string_view path) {
    return path == "/gw/authenticate" || path == "/gw/status" || path == "/gw/logout";
}

GatewayProxy::GatewayProxy(gateway::GatewayService& gateway, const auth::AuthView& auth,
                           const gateway::IdentityKey& identity_key, ProxyOptions options, metrics::Registry& registry)
    : impl_(std::make_unique<Impl>(gateway, auth, identity_key, options)) {
    impl_->usage.AddMetrics(registry);
}

GatewayProxy::~GatewayProxy() = default;

UsageBook& GatewayProxy::usage() noexcept { return impl_->usage; }

bool GatewayProxy::Wants(const bhttp::request_header<>& header) const {
    const auto path = PathOf(header.target());
    if (IsGatewayPage(path)) return false;
    if (path.starts_with(kPrefix) || path == "/gw") return true;
    auto& cache = impl_->gateway.cache();
    return cache.HasHostRoutes() && cache.RouteByHost(header[bhttp::field::host]) != nullptr;
}

boost::asio::awaitable<bool> GatewayProxy::Impl::Refuse(http::LentConnection& connection, http::Status status,
                                                        std::string detail, std::string kind, bool before_body) {
    boost::json::object extra;
    if (!kind.empty()) extra["kind"] = kind;
    auto response = http::Problem(status, detail, {}, extra);
    bool keep_alive = false;
    if (before_body) {
        // A body the client is sending is not read: the connection cannot carry another request after it.
        const bool has_body = connection.parser.chunked() || connection.parser.content_length().value_or(0) > 0;
        keep_alive = connection.parser.get().keep_alive() && !has_body && !connection.stopping.load();
    }
    response.keep_alive(keep_alive);
    response.set(bhttp::field::cache_control, "no-store");
    response.set("X-Request-Id", connection.request_id);
    if (status == http::Status::unauthorized) response.set(bhttp::field::www_authenticate, "X-Access-Token");
    response.prepare_payload();
    auto stream = connection.stream;
    stream.tcp().expires_after(options.read_timeout);
    auto [ec, n] = co_await bhttp::async_write(stream, response, kTuple);
    co_return !ec && response.keep_alive();
}

boost::asio::awaitable<bool> GatewayProxy::Impl::Redirect(http::LentConnection& connection, std::string location) {
    http::Response response{http::Status::moved_permanently, 11};
    response.set(bhttp::field::location, location);
    response.set("X-Request-Id", connection.request_id);
    response.keep_alive(connection.parser.get().keep_alive() && !connection.stopping.load());
    response.prepare_payload();
    auto stream = connection.stream;
    auto [ec, n] = co_await bhttp::async_write(stream, response, kTuple);
    co_return !ec && response.keep_alive();
}

boost::asio::awaitable<bool> GatewayProxy::Serve(http::LentConnection& connection) {
    Impl& impl = *impl_;
    const auto& header = connection.parser.get();
    const auto target = header.target();
    const auto path = PathOf(target);
    const auto query = QueryOf(target);
    const bool upgrade = IsUpgrade(header);

    detail::Admitted admitted;
    auto& cache = impl.gateway.cache();
    if (!path.starts_with(kPrefix) && path != "/gw") {
        admitted.route = cache.RouteByHost(header[bhttp::field::host]);
    } else {
        const auto rest = path.substr(std::min(path.size(), kPrefix.size()));
        const auto slug = rest.substr(0, rest.find('/'));
        admitted.route = cache.RouteBySlug(slug);
        if (!admitted.route)
            co_return co_await impl.Refuse(connection, http::Status::not_found,
                                           "no gateway route is called '" + std::string(slug) + "'");
        admitted.mount.prefix = "/gw/" + std::string(slug);
        if (rest.size() == slug.size()) {
            // The app's pages resolve relative links against a directory: /gw/app -> /gw/app/
            std::string location = admitted.mount.prefix + "/";
            if (!query.empty()) location += "?" + std::string(query);
            co_return co_await impl.Redirect(connection, location);
        }
    }
    if (!admitted.route) co_return co_await impl.Refuse(connection, http::Status::not_found, "no such gateway route");
    const auto& route = *admitted.route;

    admitted.token_text = TokenOf(header, query, upgrade);
    if (admitted.token_text.empty())
        co_return co_await impl.Refuse(connection, http::Status::unauthorized,
                                       "an access token is required: the X-Access-Token header or the "
                                       "gatehouse_access cookie (POST /gw/authenticate)",
                                       "token_missing");
    admitted.token = co_await impl.gateway.Resolve(admitted.token_text);
    if (!admitted.token)
        co_return co_await impl.Refuse(connection, http::Status::unauthorized,
                                       "the access token is invalid, expired or revoked", "token_invalid");
    const auto& entry = admitted.token->entry;
    if (entry.route_id != route.id)
        co_return co_await impl.Refuse(connection, http::Status::forbidden,
                                       "the access token is for another gateway route", "wrong_route");
    if (!route.enabled)
        co_return co_await impl.Refuse(connection, http::Status::forbidden, "the gateway route is disabled",
                                       "route_disabled");
    const auto user = impl.auth.User(entry.user_id);
    if (!user || user->disabled)
        co_return co_await impl.Refuse(connection, http::Status::unauthorized,
                                       "the access token's user is disabled or gone", "user_disabled");
    if (!Allowed(route, user->role))
        co_return co_await impl.Refuse(
            connection, http::Status::forbidden,
            "role '" + std::string(auth::RoleName(user->role)) + "' may not use this gateway route",
            "role_not_allowed");

    if (route.identity_header) admitted.assertion = AssertionFor(impl.identity_key, route, *admitted.token, *user);
    const auto& upstream = UpstreamOf(admitted.route);
    admitted.target = upstream.target;
    admitted.mount.origin = upstream.origin;
    admitted.mount.base = upstream.base;
    admitted.upstream_target = UpstreamPath(admitted.mount, path);
    std::string upstream_query(query);
    if (upgrade) upstream_query = WithoutQueryParam(query, "token");
    if (!upstream_query.empty()) admitted.upstream_target += "?" + upstream_query;
    admitted.client_host = std::string(header[bhttp::field::host]);

    if (upgrade) {
        if (!route.websocket)
            co_return co_await impl.Refuse(connection, http::Status::forbidden,
                                           "this gateway route does not carry WebSockets", "websocket_disabled");
        if (!OriginAllowed(route, header[bhttp::field::origin], admitted.client_host, connection.client_tls))
            co_return co_await impl.Refuse(connection, http::Status::forbidden,
                                           "WebSockets from this Origin are not allowed on this route",
                                           "origin_not_allowed");
        co_return co_await impl.Tunnel(connection, admitted);
    }
    co_return co_await impl.RelayHttp(connection, admitted);
}

}  // namespace gatehouse::proxy
