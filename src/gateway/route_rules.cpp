#include "gateway/route_rules.hpp"

#include <boost/url/parse.hpp>
#include <filesystem>

#include "core/errc.hpp"
#include "core/text.hpp"

namespace gatehouse::gateway {
namespace {

// Paths under /gw/ that are the gateway's own.
constexpr std::string_view kReservedSlugs[] = {"authenticate", "status", "logout"};

// Hop-by-hop (RFC 9110 7.6.1) and the headers the proxy sets or strips itself.
constexpr std::string_view kReservedHeaders[] = {"connection",
                                                 "keep-alive",
                                                 "proxy-authenticate",
                                                 "proxy-authorization",
                                                 "te",
                                                 "trailer",
                                                 "transfer-encoding",
                                                 "upgrade",
                                                 "host",
                                                 "content-length",
                                                 "x-forwarded-for",
                                                 "x-forwarded-proto",
                                                 "x-forwarded-host",
                                                 "x-access-token",
                                                 "cookie",
                                                 "forwarded"};

[[noreturn]] void Invalid(std::string_view field, std::string_view why) {
    throw core::Error(core::errc::invalid_argument, "field '" + std::string(field) + "' " + std::string(why));
}

bool IsSlug(std::string_view slug) {
    if (slug.empty() || slug.size() > 63) return false;
    for (std::size_t i = 0; i < slug.size(); ++i) {
        const char c = slug[i];
        const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && !(i > 0 && c == '-')) return false;
    }
    return true;
}

bool IsHostName(std::string_view host) {
    if (host.empty() || host.size() > 253) return false;
    std::size_t label = 0;
    for (const char c : host) {
        if (c == '.') {
            if (label == 0) return false;
            label = 0;
            continue;
        }
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
        if (!ok || ++label > 63) return false;
    }
    return label > 0;
}

void CheckUpstream(RouteInput& route) {
    auto parsed = boost::urls::parse_absolute_uri(route.upstream_url);
    if (!parsed) Invalid("upstream_url", "must be an absolute http:// or https:// URL");
    const auto scheme = core::AsciiLower(parsed->scheme());
    if (scheme != "http" && scheme != "https") Invalid("upstream_url", "must use http or https");
    if (parsed->host().empty()) Invalid("upstream_url", "must name a host");
    if (parsed->has_userinfo()) Invalid("upstream_url", "must not carry credentials");
    if (parsed->has_query() || parsed->has_fragment()) Invalid("upstream_url", "must not have a query or fragment");
    std::string path(parsed->encoded_path());
    while (!path.empty() && path.back() == '/') path.pop_back();
    std::string normal = scheme + "://" + std::string(parsed->encoded_host_and_port()) + path;
    route.upstream_url = std::move(normal);
}

void CheckOrigins(const std::vector<std::string>& origins) {
    for (const auto& origin : origins) {
        if (origin == "*") continue;
        auto parsed = boost::urls::parse_absolute_uri(origin);
        const bool ok = parsed && (parsed->scheme() == "http" || parsed->scheme() == "https") &&
                        !parsed->host().empty() && parsed->encoded_path().empty() && !parsed->has_query();
        if (!ok) Invalid("allowed_origins", "must hold origins such as https://app.example.com, or \"*\"");
    }
}

void CheckHeaders(std::vector<std::pair<std::string, std::string>>& headers) {
    if (headers.size() > 32) Invalid("extra_headers", "may hold at most 32 headers");
    for (auto& [name, value] : headers) {
        name = core::AsciiLower(name);
        if (!IsToken(name) || name.size() > 100) Invalid("extra_headers", "holds an invalid header name");
        if (IsReservedHeader(name)) Invalid("extra_headers", "may not set '" + name + "' (the proxy sets it)");
        if (value.size() > 4096) Invalid("extra_headers", "holds a value over 4096 bytes");
        for (const char c : value)
            if (c == '\r' || c == '\n' || c == '\0') Invalid("extra_headers", "holds a value with a line break");
    }
}

}  // namespace

bool IsToken(std::string_view text) {
    if (text.empty()) return false;
    for (const char c : text) {
        const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) return false;
    }
    return true;
}

bool IsReservedHeader(std::string_view name) {
    const auto lower = core::AsciiLower(name);
    for (const auto reserved : kReservedHeaders)
        if (lower == reserved) return true;
    return false;
}

void ValidateRoute(RouteInput& route) {
    if (!IsSlug(route.slug)) Invalid("slug", "must be 1 to 63 lowercase letters, digits or '-' (not first)");
    for (const auto reserved : kReservedSlugs)
        if (route.slug == reserved) Invalid("slug", "is reserved by the gateway");
    if (const auto problem = core::NameProblem(route.name, 200); !problem.empty()) Invalid("name", problem);
    CheckUpstream(route);
    if (route.host) {
        auto host = core::AsciiLower(*route.host);
        if (!host.empty() && host.back() == '.') host.pop_back();
        if (!IsHostName(host)) Invalid("host", "must be a DNS host name without a port");
        route.host = std::move(host);
    }
    if (route.allowed_roles.empty()) Invalid("allowed_roles", "must name at least one role");
    // No prices at all: every duration is free (a price of 0 is free).
    if (route.prices.empty())
        for (const int hours : kDurations) route.prices[hours] = 0;
    for (const auto& [hours, credits] : route.prices) {
        if (std::find(kDurations.begin(), kDurations.end(), hours) == kDurations.end())
            Invalid("prices", "may only price durations of 1, 12, 24, 168 and 720 hours");
        if (credits < 0 || credits > 1'000'000'000'000) Invalid("prices", "must be whole credits from 0 to 10^12");
    }
    if (route.identity_header) {
        if (!IsToken(*route.identity_header) || route.identity_header->size() > 100)
            Invalid("identity_header", "must be a header name");
        if (IsReservedHeader(*route.identity_header)) Invalid("identity_header", "names a header the proxy sets");
    }
    if (route.allowed_origins.size() > 64) Invalid("allowed_origins", "may hold at most 64 origins");
    CheckOrigins(route.allowed_origins);
    CheckHeaders(route.extra_headers);
    if (route.ca_file) {
        const std::filesystem::path path(*route.ca_file);
        std::error_code ec;
        if (!path.is_absolute() || !std::filesystem::is_regular_file(path, ec))
            Invalid("ca_file", "must be the absolute path of a readable file");
        if (!route.upstream_url.starts_with("https://")) Invalid("ca_file", "applies to https upstreams only");
    }
}

}  // namespace gatehouse::gateway
