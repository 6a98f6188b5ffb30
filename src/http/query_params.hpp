#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gatehouse::http {

class Route;

/// One query parameter a route takes. Declared once in the route table: the server refuses any parameter a
/// route does not declare and any value outside its declaration (400 naming it) before the handler runs, a
/// handler reading an undeclared one is a programming error (500), and the OpenAPI document lists them.
/// An empty value means "not given", as for a list filter left blank.
struct QueryParam {
    enum class Type { kString, kInteger, kBoolean, kDateTime };
    std::string name;  // "match[]" declares a family: match[job]=..., match[instance]=...
    Type type = Type::kString;
    std::string description;
    std::vector<std::string> choices;      // kString: the allowed values, if limited
    std::int64_t minimum = INT64_MIN;      // kInteger
    std::int64_t maximum = INT64_MAX;      // kInteger
    std::optional<std::int64_t> fallback;  // kInteger: the value when absent (documented as the default)
};

QueryParam StringQuery(std::string name, std::string description);
QueryParam ChoiceQuery(std::string name, std::string description, std::span<const std::string_view> choices);
QueryParam IntQuery(std::string name, std::string description, std::int64_t minimum, std::int64_t maximum,
                    std::optional<std::int64_t> fallback = std::nullopt);
QueryParam BoolQuery(std::string name, std::string description);
QueryParam DateTimeQuery(std::string name, std::string description);
/// `limit` (1-500, default 50) and `cursor`, which every list takes.
std::vector<QueryParam> PagingQuery();

/// Throws core::Error(invalid_argument) naming every parameter of `query` (the raw text after '?') that `route`
/// does not declare, or the first whose value is outside its declaration. WebSocket routes also take
/// `access_token`.
void CheckQuery(const Route& route, std::string_view query);

/// Whether `route` declares query parameter `name`.
bool DeclaresQuery(const Route& route, std::string_view name);

}  // namespace gatehouse::http
