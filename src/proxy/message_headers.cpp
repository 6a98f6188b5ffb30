// The headers of proxied requests and responses.
#include <vector>

#include "core/text.hpp"
#include "proxy/proxy_impl.hpp"

namespace gatehouse::proxy::detail {
namespace {

// Drops hop-by-hop fields and those the Connection header names; keeps Upgrade and Connection when asked.
// Transfer-Encoding stays: the body is passed on in the framing it came in (the parser takes chunks apart and the
// serializer puts them back together).
template <class Header>
void DropHopByHop(Header& header, bool keep_upgrade) {
    using F = bhttp::field;
    // Options the Connection header names beyond keep-alive and close (rare): those fields go too.
    std::vector<std::string> named;
    for (auto& option : ConnectionOptions(header[F::connection]))
        if (option != "keep-alive" && option != "close" && option != "upgrade") named.push_back(std::move(option));
    for (auto it = header.begin(); it != header.end();) {
        bool hop = false;
        switch (it->name()) {
            case F::connection:
            case F::upgrade:
                hop = !keep_upgrade;
                break;
            case F::keep_alive:
            case F::proxy_authenticate:
            case F::proxy_authorization:
            case F::proxy_connection:
            case F::te:
            case F::trailer:
                hop = true;
                break;
            default:
                for (const auto& name : named)
                    if (core::IEquals(it->name_string(), name)) hop = true;
        }
        it = hop ? header.erase(it) : std::next(it);
    }
    if (keep_upgrade) header.set(F::connection, "Upgrade");
}

}  // namespace

std::string HostHeader(const UpstreamTarget& target) {
    const bool v6 = target.host.find(':') != std::string::npos;
    std::string host = v6 ? "[" + target.host + "]" : target.host;
    const bool default_port = (target.tls && target.port == "443") || (!target.tls && target.port == "80");
    if (!default_port) host += ":" + target.port;
    return host;
}

void PrepareUpstreamRequest(bhttp::request_header<>& header, const Admitted& admitted, const std::string& peer,
                            bool client_tls, bool keep_upgrade) {
    DropHopByHop(header, keep_upgrade);
    header.erase("X-Access-Token");
    header.erase(bhttp::field::expect);  // answered by the proxy itself
    // The gateway's cookies are for the gateway only; the upstream's own pass.
    std::string cookies;
    const auto [first, last] = header.equal_range(bhttp::field::cookie);
    for (auto it = first; it != last; ++it) {
        const auto kept = WithoutCookies(it->value(), {kAccessCookie, "gatehouse_refresh"});
        if (kept.empty()) continue;
        if (!cookies.empty()) cookies += "; ";
        cookies += kept;
    }
    header.erase(bhttp::field::cookie);
    if (!cookies.empty()) header.set(bhttp::field::cookie, cookies);

    const auto forwarded_for = header["X-Forwarded-For"];
    header.set("X-Forwarded-For", forwarded_for.empty() ? peer : std::string(forwarded_for) + ", " + peer);
    header.set("X-Forwarded-Proto", client_tls ? "https" : "http");
    if (!admitted.client_host.empty()) header.set("X-Forwarded-Host", admitted.client_host);
    if (!admitted.mount.prefix.empty()) header.set("X-Forwarded-Prefix", admitted.mount.prefix);
    header.erase(bhttp::field::forwarded);
    header.set(bhttp::field::host, HostHeader(admitted.target));
    const auto& route = *admitted.route;
    if (route.rewrite && !keep_upgrade) {
        // Only encodings the rewriter can undo: anything else would reach the client unrewritten.
        std::string accepted;
        for (const auto& token : ConnectionOptions(header[bhttp::field::accept_encoding])) {
            const auto name = token.substr(0, token.find(';'));
            if (name != "gzip" && name != "br" && name != "identity") continue;
            if (!accepted.empty()) accepted += ", ";
            accepted += token;
        }
        if (accepted.empty()) {
            header.erase(bhttp::field::accept_encoding);
        } else {
            header.set(bhttp::field::accept_encoding, accepted);
        }
    }
    for (const auto& [name, value] : route.extra_headers) header.set(name, value);
    if (route.pass_access_token_header) header.set("X-Access-Token", admitted.token_text);
    if (route.identity_header) header.set(*route.identity_header, admitted.assertion);
    header.target(admitted.upstream_target);
    header.version(11);
}

void PrepareClientResponse(bhttp::response_header<>& header, const Mount& mount, bool keep_upgrade) {
    DropHopByHop(header, keep_upgrade);
    for (const auto field : {bhttp::field::location, bhttp::field::content_location}) {
        const auto value = header[field];
        if (!value.empty()) header.set(field, MapUrl(mount, value));
    }
    std::vector<std::string> cookies;
    const auto [first, last] = header.equal_range(bhttp::field::set_cookie);
    for (auto it = first; it != last; ++it) cookies.push_back(MapSetCookie(mount, it->value()));
    if (!cookies.empty()) {
        header.erase(bhttp::field::set_cookie);
        for (const auto& cookie : cookies) header.insert(bhttp::field::set_cookie, cookie);
    }
}

}  // namespace gatehouse::proxy::detail
