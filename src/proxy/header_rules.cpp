#include "proxy/header_rules.hpp"

#include "core/text.hpp"
#include "http/header_values.hpp"

namespace gatehouse::proxy {
namespace {

constexpr std::string_view kHopByHop[] = {
    "connection", "keep-alive",        "proxy-connection", "proxy-authenticate", "proxy-authorization", "te",
    "trailer",    "transfer-encoding", "upgrade"};

bool StartsWithPath(std::string_view path, std::string_view base) {
    if (base.empty()) return true;
    if (!path.starts_with(base)) return false;
    return path.size() == base.size() || path[base.size()] == '/' || path[base.size()] == '?' ||
           path[base.size()] == '#';
}

// A root-relative upstream path ("/base/x?y") as the client sees it ("/gw/app/x?y").
std::string MapPath(const Mount& mount, std::string_view path) {
    if (!StartsWithPath(path, mount.base)) return std::string(path);
    std::string rest(path.substr(mount.base.size()));
    if (rest.empty() || rest.front() != '/') rest.insert(0, "/");
    return mount.prefix + rest;
}

}  // namespace

bool IsHopByHop(std::string_view name) {
    const auto lower = core::AsciiLower(name);
    for (const auto hop : kHopByHop)
        if (lower == hop) return true;
    return false;
}

std::vector<std::string> ConnectionOptions(std::string_view connection) {
    std::vector<std::string> out;
    http::ForEachItem(connection, ',', [&](std::string_view option) {
        if (!option.empty()) out.push_back(core::AsciiLower(option));
    });
    return out;
}

std::optional<std::string> CookieValue(std::string_view cookie_header, std::string_view name) {
    std::optional<std::string> found;
    http::ForEachItem(cookie_header, ';', [&](std::string_view pair) {
        const auto eq = pair.find('=');
        if (found || eq == std::string_view::npos) return;
        if (http::TrimOws(pair.substr(0, eq)) == name) found = std::string(http::TrimOws(pair.substr(eq + 1)));
    });
    return found;
}

std::string WithoutCookies(std::string_view cookie_header, const std::vector<std::string_view>& names) {
    std::string out;
    http::ForEachItem(cookie_header, ';', [&](std::string_view pair) {
        if (pair.empty()) return;
        const auto name = http::TrimOws(pair.substr(0, pair.find('=')));
        for (const auto drop : names)
            if (name == drop) return;
        if (!out.empty()) out += "; ";
        out += pair;
    });
    return out;
}

std::string WithoutQueryParam(std::string_view query, std::string_view name) {
    std::string out;
    http::ForEachItem(query, '&', [&](std::string_view pair) {
        if (pair.empty()) return;
        if (pair.substr(0, pair.find('=')) == name) return;
        if (!out.empty()) out += '&';
        out += pair;
    });
    return out;
}

std::string UpstreamPath(const Mount& mount, std::string_view gateway_path) {
    std::string_view rest = gateway_path;
    if (!mount.prefix.empty() && rest.starts_with(mount.prefix)) rest.remove_prefix(mount.prefix.size());
    if (rest.empty() || rest.front() != '/') return mount.base + "/" + std::string(rest);
    return mount.base + std::string(rest);
}

std::string OriginOf(std::string_view url) {
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return {};
    const auto scheme = core::AsciiLower(url.substr(0, scheme_end));
    if (scheme != "http" && scheme != "https") return {};
    auto rest = url.substr(scheme_end + 3);
    const auto authority_end = rest.find_first_of("/?#");
    auto authority = core::AsciiLower(rest.substr(0, authority_end));
    if (authority.empty() || authority.find('@') != std::string::npos) return {};
    const std::string default_port = scheme == "http" ? ":80" : ":443";
    if (authority.ends_with(default_port)) {
        // ":80" after a bracketed IPv6 literal or a name is the port; inside the brackets it is not.
        const auto host = authority.substr(0, authority.size() - default_port.size());
        if (host.find('[') == std::string::npos || host.back() == ']') authority = host;
    }
    return scheme + "://" + authority;
}

std::string MapUrl(const Mount& mount, std::string_view url) {
    if (url.starts_with("//")) {
        // Scheme-relative: the upstream's origin with the client's scheme.
        const auto origin = OriginOf("http:" + std::string(url));
        const auto upstream_host = mount.origin.substr(mount.origin.find("://") + 3);
        if (origin.empty() || origin.substr(7) != upstream_host) return std::string(url);
        const auto path_start = url.find_first_of("/?#", 2);
        return MapPath(mount, path_start == std::string_view::npos ? "/" : url.substr(path_start));
    }
    if (url.starts_with("/")) return MapPath(mount, url);
    const auto origin = OriginOf(url);
    if (origin.empty() || origin != mount.origin) return std::string(url);
    const auto scheme_end = url.find("://") + 3;
    const auto path_start = url.find_first_of("/?#", scheme_end);
    const auto path = path_start == std::string_view::npos ? std::string_view("/") : url.substr(path_start);
    // Outside the route's base path the gateway has nothing to offer: the URL stays the upstream's.
    if (!StartsWithPath(path, mount.base)) return std::string(url);
    return MapPath(mount, path);
}

std::string MapSetCookie(const Mount& mount, std::string_view set_cookie) {
    std::string out;
    bool first = true;
    bool has_path = false;
    http::ForEachItem(set_cookie, ';', [&](std::string_view part) {
        if (part.empty()) return;
        if (!first) {
            const auto key = core::AsciiLower(http::TrimOws(part.substr(0, part.find('='))));
            if (key == "domain") return;
            if (key == "path") {
                has_path = true;
                const auto eq = part.find('=');
                const auto path =
                    eq == std::string_view::npos ? std::string_view("/") : http::TrimOws(part.substr(eq + 1));
                out += "; Path=" + MapPath(mount, path.empty() || path.front() != '/' ? "/" : path);
                return;
            }
            out += "; ";
        }
        out += part;
        first = false;
    });
    if (!has_path && !mount.prefix.empty()) out += "; Path=" + mount.prefix + "/";
    return out;
}

}  // namespace gatehouse::proxy
