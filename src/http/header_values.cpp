#include "http/header_values.hpp"

#include <optional>

#include "core/text.hpp"

namespace gatehouse::http {
namespace {

// "br;q=0.5" -> whether its qvalue admits it: 0 (0, 0.0, 0.000) refuses, anything else or none admits.
bool Admits(std::string_view parameters) {
    bool admits = true;
    ForEachItem(parameters, ';', [&](std::string_view parameter) {
        const auto eq = parameter.find('=');
        if (eq != std::string_view::npos && core::IEquals(TrimOws(parameter.substr(0, eq)), "q"))
            admits = TrimOws(parameter.substr(eq + 1)).find_first_not_of("0.") != std::string_view::npos;
    });
    return admits;
}

std::string_view Opaque(std::string_view tag) { return tag.starts_with("W/") ? tag.substr(2) : tag; }

}  // namespace

std::string_view TrimOws(std::string_view value) {
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    return value;
}

std::string_view PreferredCoding(std::string_view accept_encoding, std::initializer_list<std::string_view> offered) {
    for (const auto coding : offered) {
        std::optional<bool> named, wildcard;
        ForEachItem(accept_encoding, ',', [&](std::string_view item) {
            const auto semicolon = item.find(';');
            const auto name = TrimOws(item.substr(0, semicolon));
            const auto parameters =
                semicolon == std::string_view::npos ? std::string_view() : item.substr(semicolon + 1);
            if (core::IEquals(name, coding)) named = Admits(parameters);
            if (name == "*") wildcard = Admits(parameters);
        });
        if (named.value_or(wildcard.value_or(false))) return coding;
    }
    return {};
}

bool IfNoneMatchHits(std::string_view if_none_match, std::string_view etag) {
    bool hit = false;
    ForEachItem(if_none_match, ',', [&](std::string_view tag) {
        if (tag == "*" || (!tag.empty() && Opaque(tag) == Opaque(etag))) hit = true;
    });
    return hit;
}

}  // namespace gatehouse::http
