#include "http/query_params.hpp"

#include <algorithm>
#include <charconv>

#include "core/errc.hpp"
#include "core/time.hpp"
#include "http/router.hpp"

namespace gatehouse::http {
namespace {

constexpr std::string_view kAccessToken = "access_token";

const QueryParam* Find(const Route& route, std::string_view name) {
    for (const auto& param : route.options().query) {
        if (param.name == name) return &param;
        // A family "match[]" takes match[job], match[instance], ...
        if (param.name.ends_with("[]")) {
            const std::string_view stem = std::string_view(param.name).substr(0, param.name.size() - 1);
            if (name.size() > stem.size() + 1 && name.starts_with(stem) && name.back() == ']') return &param;
        }
    }
    return nullptr;
}

std::string Quoted(std::string_view name) {
    std::string shown(name.substr(0, 64));
    for (char& ch : shown)
        if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ch = '?';
    return "'" + shown + "'";
}

void CheckValue(const QueryParam& param, const std::string& value) {
    if (value.empty()) return;  // not given
    using Type = QueryParam::Type;
    switch (param.type) {
        case Type::kString:
            if (!param.choices.empty() &&
                std::find(param.choices.begin(), param.choices.end(), value) == param.choices.end()) {
                std::string list;
                for (const auto& choice : param.choices) list += (list.empty() ? "" : ", ") + choice;
                throw core::Error(core::errc::invalid_argument, param.name + " must be one of " + list);
            }
            return;
        case Type::kInteger: {
            std::int64_t number = 0;
            const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
            if (ec != std::errc() || end != value.data() + value.size() || number < param.minimum ||
                number > param.maximum)
                throw core::Error(core::errc::invalid_argument, param.name + " must be an integer from " +
                                                                    std::to_string(param.minimum) + " to " +
                                                                    std::to_string(param.maximum));
            return;
        }
        case Type::kBoolean:
            if (value != "true" && value != "false")
                throw core::Error(core::errc::invalid_argument, param.name + " must be true or false");
            return;
        case Type::kDateTime:
            if (!core::ParseRfc3339(value))
                throw core::Error(core::errc::invalid_argument,
                                  param.name + " must be an RFC 3339 time such as 2026-01-31T12:00:00Z");
            return;
    }
}

}  // namespace

QueryParam StringQuery(std::string name, std::string description) {
    return QueryParam{
        .name = std::move(name), .type = QueryParam::Type::kString, .description = std::move(description)};
}

QueryParam ChoiceQuery(std::string name, std::string description, std::span<const std::string_view> choices) {
    QueryParam param = StringQuery(std::move(name), std::move(description));
    for (auto choice : choices) param.choices.emplace_back(choice);
    return param;
}

QueryParam IntQuery(std::string name, std::string description, std::int64_t minimum, std::int64_t maximum,
                    std::optional<std::int64_t> fallback) {
    return QueryParam{.name = std::move(name),
                      .type = QueryParam::Type::kInteger,
                      .description = std::move(description),
                      .minimum = minimum,
                      .maximum = maximum,
                      .fallback = fallback};
}

QueryParam BoolQuery(std::string name, std::string description) {
    return QueryParam{
        .name = std::move(name), .type = QueryParam::Type::kBoolean, .description = std::move(description)};
}

QueryParam DateTimeQuery(std::string name, std::string description) {
    return QueryParam{
        .name = std::move(name), .type = QueryParam::Type::kDateTime, .description = std::move(description)};
}

std::vector<QueryParam> PagingQuery() {
    return {IntQuery("limit", "Items per page", 1, 500, 50),
            StringQuery("cursor", "Where the page starts: next_cursor of the previous page")};
}

bool DeclaresQuery(const Route& route, std::string_view name) {
    return Find(route, name) != nullptr || (route.options().websocket && name == kAccessToken);
}

void CheckQuery(const Route& route, std::string_view query) {
    if (route.options().any_query) return;
    std::vector<std::string> unknown;
    std::vector<std::pair<const QueryParam*, std::string>> values;
    std::string_view rest = query;
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
        if (pair.empty()) continue;  // "?a=1&&b=2", a trailing '&'
        const auto eq = pair.find('=');
        std::string raw_key(pair.substr(0, eq)), key;
        std::replace(raw_key.begin(), raw_key.end(), '+', ' ');
        if (!PercentDecode(raw_key, key))
            throw core::Error(core::errc::invalid_argument, "malformed percent-escape in the query string");
        std::string raw_value(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1)), value;
        std::replace(raw_value.begin(), raw_value.end(), '+', ' ');
        if (!PercentDecode(raw_value, value))
            throw core::Error(core::errc::invalid_argument,
                              "malformed percent-escape in query parameter " + Quoted(key));
        if (const auto* param = Find(route, key)) {
            values.emplace_back(param, std::move(value));
        } else if (!(route.options().websocket && key == kAccessToken)) {
            if (std::find(unknown.begin(), unknown.end(), key) == unknown.end()) unknown.push_back(std::move(key));
        }
    }
    if (!unknown.empty()) {
        std::string names;
        for (const auto& name : unknown) names += (names.empty() ? "" : ", ") + Quoted(name);
        std::string known;
        for (const auto& param : route.options().query) known += (known.empty() ? "" : ", ") + param.name;
        throw core::Error(core::errc::invalid_argument,
                          std::string(unknown.size() == 1 ? "unknown query parameter " : "unknown query parameters ") +
                              names + (known.empty() ? ": this route takes none" : ": this route takes " + known));
    }
    for (const auto& [param, value] : values) CheckValue(*param, value);
}

}  // namespace gatehouse::http
