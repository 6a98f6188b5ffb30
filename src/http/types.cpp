#include "http/types.hpp"

#include <algorithm>

#include "core/errc.hpp"
#include "http/router.hpp"

namespace gatehouse::http {

std::string_view AccessName(Access access) noexcept {
    switch (access) {
        case Access::kPublic:
            return "public";
        case Access::kViewer:
            return "viewer";
        case Access::kOperator:
            return "operator";
        case Access::kAdmin:
            return "admin";
    }
    return "unknown";
}

std::string_view RequestContext::Header(std::string_view name) const {
    const auto it = request.find(name);
    return it == request.end() ? std::string_view{} : std::string_view(it->value());
}

std::string_view RequestContext::Param(std::string_view name) const {
    for (const auto& [key, value] : params)
        if (key == name) return value;
    return {};
}

std::optional<std::string> RequestContext::Query(std::string_view name) const {
    // A parameter the route does not declare was refused before the handler ran: reading one is a bug of the
    // handler, which the declaration (and so the OpenAPI document) misses.
    if (route != nullptr && !DeclaresQuery(*route, name))
        throw core::Error(core::errc::internal, "internal error",
                          "the handler of " + route->pattern() + " reads query parameter '" + std::string(name) +
                              "', which its route does not declare");
    return FormValue(query, name);
}

std::vector<std::pair<std::string, std::string>> QueryFamily(std::string_view query, std::string_view stem) {
    std::vector<std::pair<std::string, std::string>> family;
    const std::string prefix = std::string(stem) + "[";
    std::string_view rest = query;
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
        const auto eq = pair.find('=');
        std::string raw_key(pair.substr(0, eq)), key, raw_value, value;
        std::replace(raw_key.begin(), raw_key.end(), '+', ' ');
        if (!PercentDecode(raw_key, key) || !key.starts_with(prefix) || !key.ends_with("]")) continue;
        raw_value = eq == std::string_view::npos ? std::string() : std::string(pair.substr(eq + 1));
        std::replace(raw_value.begin(), raw_value.end(), '+', ' ');
        if (!PercentDecode(raw_value, value)) continue;
        std::string name = key.substr(prefix.size(), key.size() - prefix.size() - 1);
        if (name.empty())
            throw core::Error(core::errc::invalid_argument, "query parameter '" + key + "' names no label");
        for (const auto& [seen, unused] : family)
            if (seen == name)
                throw core::Error(core::errc::invalid_argument, "query parameter '" + key + "' is given twice");
        family.emplace_back(std::move(name), std::move(value));
    }
    return family;
}

std::optional<std::string> FormValue(std::string_view encoded, std::string_view name) {
    std::string_view rest = encoded;
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
        const auto eq = pair.find('=');
        std::string key;
        std::string plus_key(pair.substr(0, eq));
        std::replace(plus_key.begin(), plus_key.end(), '+', ' ');
        if (!PercentDecode(plus_key, key) || key != name) continue;
        std::string value(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
        std::replace(value.begin(), value.end(), '+', ' ');
        std::string decoded;
        if (!PercentDecode(value, decoded)) return std::nullopt;
        return decoded;
    }
    return std::nullopt;
}

}  // namespace gatehouse::http
