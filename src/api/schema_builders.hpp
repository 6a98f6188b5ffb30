#pragma once
// Builders of the JSON Schemas of response bodies (api/response_schemas*.cpp): every field listed and required, no
// other field allowed.

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace gatehouse::api::schema {

namespace json = boost::json;

inline json::object Typed(std::string_view type, std::string_view description) {
    json::object s{{"type", type}};
    if (!description.empty()) s["description"] = description;
    return s;
}
inline json::object Str(std::string_view description = {}) { return Typed("string", description); }
inline json::object Int(std::string_view description = {}) { return Typed("integer", description); }
inline json::object Num(std::string_view description = {}) { return Typed("number", description); }
inline json::object Bool(std::string_view description = {}) { return Typed("boolean", description); }
inline json::object Time(std::string_view description = {}) {
    auto s = Str(description);
    s["format"] = "date-time";
    return s;
}
inline json::object Enum(std::span<const std::string_view> values, std::string_view description = {}) {
    json::array choices;
    for (const auto v : values) choices.emplace_back(v);
    auto s = Str(description);
    s["enum"] = std::move(choices);
    return s;
}
inline json::object Ref(std::string_view name) { return {{"$ref", "#/components/schemas/" + std::string(name)}}; }
inline json::object ArrayOf(json::object items) { return {{"type", "array"}, {"items", std::move(items)}}; }

/// The same schema, or null.
inline json::object OrNull(json::object schema) {
    if (schema.contains("$ref")) return {{"oneOf", json::array{std::move(schema), json::object{{"type", "null"}}}}};
    json::value& type = schema["type"];
    type = json::array{type, "null"};
    if (auto* choices = schema.if_contains("enum")) choices->as_array().emplace_back(nullptr);
    return schema;
}

/// An object with exactly `fields`, each required unless named in `optional`.
inline json::object Obj(std::initializer_list<std::pair<std::string_view, json::object>> fields,
                        std::string_view description = {}, std::initializer_list<std::string_view> optional = {}) {
    json::object properties;
    json::array required;
    for (const auto& [name, schema] : fields) {
        properties[name] = schema;
        if (std::find(optional.begin(), optional.end(), name) == optional.end()) required.emplace_back(name);
    }
    json::object s{{"type", "object"},
                   {"properties", std::move(properties)},
                   {"required", std::move(required)},
                   {"additionalProperties", false}};
    if (!description.empty()) s["description"] = description;
    return s;
}

/// A cursor page of `item`.
inline json::object Page(std::string_view item) {
    return Obj({{"items", ArrayOf(Ref(item))},
                {"next_cursor", OrNull(Str("Pass as ?cursor= for the next page; null on the last page"))}});
}

}  // namespace gatehouse::api::schema

namespace gatehouse::api {

/// The gateway's schemas (routes, access tokens, wallet, sessions, JWKS).
boost::json::object GatewaySchemas();
/// Collectors' and the metrics store's schemas.
boost::json::object CollectorSchemas();
/// Alert rules' and alerts' schemas.
boost::json::object AlertSchemas();

}  // namespace gatehouse::api
