#pragma once
// How the proxy changes headers on their way through: pure functions, unit-tested on their own.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gatehouse::proxy {

/// Where the gateway serves a route: `prefix` is "/gw/{slug}" (empty for a route at the root of its own host);
/// `origin` is the upstream's "scheme://host[:port]" (lowercase, without a default port) and `base` its path
/// ("" or "/base", no trailing slash).
struct Mount {
    std::string prefix;
    std::string origin;
    std::string base;
};

/// Hop-by-hop header names (RFC 9110 7.6.1), which never cross the proxy.
bool IsHopByHop(std::string_view name);
/// The field names a Connection header lists (lowercase).
std::vector<std::string> ConnectionOptions(std::string_view connection);

/// The value of cookie `name` in a Cookie header.
std::optional<std::string> CookieValue(std::string_view cookie_header, std::string_view name);
/// The Cookie header without the cookies named in `names`; empty when nothing is left.
std::string WithoutCookies(std::string_view cookie_header, const std::vector<std::string_view>& names);
/// The query string without parameter `name` (its every occurrence).
std::string WithoutQueryParam(std::string_view query, std::string_view name);

/// The upstream's path for a gateway path under the mount's prefix ("/gw/app/x" -> "/base/x").
std::string UpstreamPath(const Mount& mount, std::string_view gateway_path);
/// An upstream URL (absolute on the upstream's origin, or root-relative) as the client must see it: under the
/// prefix. Other URLs (other origins, relative paths) come back unchanged.
std::string MapUrl(const Mount& mount, std::string_view url);
/// A Set-Cookie value for the client: its Domain removed, its Path under the prefix.
std::string MapSetCookie(const Mount& mount, std::string_view set_cookie);

/// "scheme://host[:port]" of an absolute URL, lowercase and without the scheme's default port; empty when `url`
/// is not absolute http(s).
std::string OriginOf(std::string_view url);

}  // namespace gatehouse::proxy
