#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gatehouse::http {

/// One field of a JSON request body. Declared once per route: ParseJsonBody checks a body against it (unknown
/// fields, types, bounds, choices, required fields: 400 naming the field) and the OpenAPI document shows it.
/// A field that is not required may be null, which means "not given".
struct BodyField {
    enum class Type { kString, kInteger, kBoolean, kStringArray, kObject, kDateTime, kStringMap };
    std::string name;
    Type type = Type::kString;
    std::string description;
    bool required = false;
    std::size_t max_length = 0;        // kString: bytes; kStringArray, kStringMap: items (0: no limit)
    std::size_t max_item_length = 0;   // kStringArray, kStringMap: bytes of each item (value)
    std::int64_t minimum = INT64_MIN;  // kInteger
    std::int64_t maximum = INT64_MAX;  // kInteger
    std::vector<std::string> choices;  // kString: the allowed values, if limited
    bool write_only = false;           // a secret: documented as writeOnly
    std::vector<BodyField> fields;     // kObject

    BodyField Required() const {
        BodyField copy = *this;
        copy.required = true;
        return copy;
    }
    BodyField WriteOnly() const {
        BodyField copy = *this;
        copy.write_only = true;
        return copy;
    }
};

BodyField StringField(std::string name, std::string description, std::size_t max_bytes);
BodyField ChoiceField(std::string name, std::string description, std::span<const std::string_view> choices);
BodyField IntField(std::string name, std::string description, std::int64_t minimum, std::int64_t maximum);
BodyField BoolField(std::string name, std::string description);
BodyField DateTimeField(std::string name, std::string description);
BodyField StringsField(std::string name, std::string description, std::size_t max_items, std::size_t max_item_bytes);
BodyField ObjectField(std::string name, std::string description, std::vector<BodyField> fields);
/// An object of any keys whose values are strings (header names to values).
BodyField StringMapField(std::string name, std::string description, std::size_t max_entries,
                         std::size_t max_value_bytes);

/// The JSON body a route takes. `partial` (PATCH): no field is required, whatever the declaration says.
struct BodySchema {
    std::vector<BodyField> fields;
    bool partial = false;
    bool optional = false;                        // the body may be empty
    bool free_form = false;                       // any JSON (diagnostics): nothing is checked
    std::string media_type = "application/json";  // other types are read by the handler itself
    boost::json::value example;                   // shown in the OpenAPI document (null: none)
};

/// Throws core::Error(invalid_argument) naming every unknown field of `body` (at the level where the first is),
/// or the first field that breaks its declaration.
void CheckBody(const BodySchema& schema, const boost::json::value& body);

/// For a route that declares no body: throws core::Error(invalid_argument) unless `body` is empty, blank or `{}`
/// (naming the fields of an object that has some).
void CheckNoBody(std::string_view body);

/// The JSON Schema (OpenAPI 3.1) of `schema`'s object.
boost::json::object BodyJsonSchema(const BodySchema& schema);

}  // namespace gatehouse::http
