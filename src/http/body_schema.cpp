#include "http/body_schema.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>

#include "core/errc.hpp"
#include "core/time.hpp"

namespace gatehouse::http {
namespace {

namespace json = boost::json;
using Type = BodyField::Type;

core::Error Invalid(const std::string& path, const std::string& problem) {
    return core::Error(core::errc::invalid_argument, "field '" + path + "' " + problem);
}

std::string Range(const BodyField& field) {
    if (field.minimum == INT64_MIN && field.maximum == INT64_MAX) return "must be an integer";
    return "must be an integer from " + std::to_string(field.minimum) + " to " + std::to_string(field.maximum);
}

std::string Shown(std::string_view name) {
    std::string shown(name.substr(0, 64));
    for (char& ch : shown)
        if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ch = '?';
    return "'" + shown + "'";
}

void CheckObject(const std::vector<BodyField>& fields, const json::object& object, const std::string& prefix,
                 bool partial);

void CheckField(const BodyField& field, const json::value& value, const std::string& path, bool partial) {
    switch (field.type) {
        case Type::kString:
        case Type::kDateTime: {
            if (!value.is_string()) throw Invalid(path, "must be a string");
            const auto& text = value.get_string();
            if (field.max_length != 0 && text.size() > field.max_length)
                throw Invalid(path, "must be at most " + std::to_string(field.max_length) + " bytes");
            if (!field.choices.empty() &&
                std::find(field.choices.begin(), field.choices.end(), std::string_view(text)) == field.choices.end()) {
                std::string list;
                for (const auto& choice : field.choices) list += (list.empty() ? "" : ", ") + choice;
                throw Invalid(path, "must be one of " + list);
            }
            if (field.type == Type::kDateTime && !core::ParseRfc3339(std::string_view(text)))
                throw Invalid(path, "must be an RFC 3339 time such as 2026-01-31T12:00:00Z");
            return;
        }
        case Type::kInteger: {
            std::int64_t number = 0;
            // One wording for every miss (a string, a fraction, out of range): what the field takes.
            if (!value.is_int64()) throw Invalid(path, Range(field));
            number = value.get_int64();
            if (number < field.minimum || number > field.maximum) throw Invalid(path, Range(field));
            return;
        }
        case Type::kBoolean:
            if (!value.is_bool()) throw Invalid(path, "must be true or false");
            return;
        case Type::kStringArray: {
            if (!value.is_array()) throw Invalid(path, "must be an array of strings");
            const auto& items = value.get_array();
            if (field.max_length != 0 && items.size() > field.max_length)
                throw Invalid(path, "must have at most " + std::to_string(field.max_length) + " entries");
            for (const auto& item : items) {
                if (!item.is_string()) throw Invalid(path, "must be an array of strings");
                if (field.max_item_length != 0 && item.get_string().size() > field.max_item_length)
                    throw Invalid(path, "entries must be at most " + std::to_string(field.max_item_length) + " bytes");
            }
            return;
        }
        case Type::kObject:
            if (!value.is_object()) throw Invalid(path, "must be an object");
            CheckObject(field.fields, value.get_object(), path + ".", partial);
            return;
        case Type::kStringMap: {
            if (!value.is_object()) throw Invalid(path, "must be an object of strings");
            const auto& entries = value.get_object();
            if (field.max_length != 0 && entries.size() > field.max_length)
                throw Invalid(path, "must have at most " + std::to_string(field.max_length) + " entries");
            for (const auto& entry : entries) {
                if (!entry.value().is_string()) throw Invalid(path, "must be an object of strings");
                if (field.max_item_length != 0 && entry.value().get_string().size() > field.max_item_length)
                    throw Invalid(path, "values must be at most " + std::to_string(field.max_item_length) + " bytes");
            }
            return;
        }
    }
}

void CheckObject(const std::vector<BodyField>& fields, const json::object& object, const std::string& prefix,
                 bool partial) {
    std::string unknown;
    for (const auto& member : object) {
        const bool known = std::any_of(fields.begin(), fields.end(),
                                       [&](const BodyField& field) { return field.name == member.key(); });
        if (!known) unknown += (unknown.empty() ? "" : ", ") + Shown(prefix + std::string(member.key()));
    }
    if (!unknown.empty()) {
        std::string takes;
        for (const auto& field : fields) takes += (takes.empty() ? "" : ", ") + field.name;
        throw core::Error(core::errc::invalid_argument,
                          (unknown.find(',') == std::string::npos ? "unknown field " : "unknown fields ") + unknown +
                              (takes.empty() ? ": no fields are taken here" : ": the fields here are " + takes));
    }
    for (const auto& field : fields) {
        const auto* value = object.if_contains(field.name);
        if (value == nullptr || value->is_null()) {
            if (field.required && !partial) throw Invalid(prefix + field.name, "is required");
            continue;
        }
        CheckField(field, *value, prefix + field.name, partial);
    }
}

json::object FieldSchema(const BodyField& field) {
    json::object schema;
    auto nullable = [&](const char* type) {
        if (field.required) return json::value(type);
        return json::value(json::array{type, "null"});
    };
    switch (field.type) {
        case Type::kString:
        case Type::kDateTime:
            schema["type"] = nullable("string");
            if (field.max_length != 0) schema["maxLength"] = field.max_length;
            if (!field.choices.empty()) {
                json::array choices;
                for (const auto& choice : field.choices) choices.emplace_back(choice);
                if (!field.required) choices.emplace_back(nullptr);
                schema["enum"] = std::move(choices);
            }
            if (field.type == Type::kDateTime) schema["format"] = "date-time";
            break;
        case Type::kInteger:
            schema["type"] = nullable("integer");
            if (field.minimum != INT64_MIN) schema["minimum"] = field.minimum;
            if (field.maximum != INT64_MAX) schema["maximum"] = field.maximum;
            break;
        case Type::kBoolean:
            schema["type"] = nullable("boolean");
            break;
        case Type::kStringArray: {
            schema["type"] = nullable("array");
            json::object items{{"type", "string"}};
            if (field.max_item_length != 0) items["maxLength"] = field.max_item_length;
            schema["items"] = std::move(items);
            if (field.max_length != 0) schema["maxItems"] = field.max_length;
            break;
        }
        case Type::kObject: {
            schema = BodyJsonSchema(BodySchema{field.fields});
            schema["type"] = nullable("object");
            break;
        }
        case Type::kStringMap: {
            schema["type"] = nullable("object");
            json::object values{{"type", "string"}};
            if (field.max_item_length != 0) values["maxLength"] = field.max_item_length;
            schema["additionalProperties"] = std::move(values);
            if (field.max_length != 0) schema["maxProperties"] = field.max_length;
            break;
        }
    }
    if (!field.description.empty()) schema["description"] = field.description;
    if (field.write_only) schema["writeOnly"] = true;
    return schema;
}

}  // namespace

BodyField StringField(std::string name, std::string description, std::size_t max_bytes) {
    return BodyField{.name = std::move(name), .description = std::move(description), .max_length = max_bytes};
}

BodyField ChoiceField(std::string name, std::string description, std::span<const std::string_view> choices) {
    BodyField field{.name = std::move(name), .description = std::move(description)};
    for (auto choice : choices) field.choices.emplace_back(choice);
    return field;
}

BodyField IntField(std::string name, std::string description, std::int64_t minimum, std::int64_t maximum) {
    return BodyField{.name = std::move(name),
                     .type = Type::kInteger,
                     .description = std::move(description),
                     .minimum = minimum,
                     .maximum = maximum};
}

BodyField BoolField(std::string name, std::string description) {
    return BodyField{.name = std::move(name), .type = Type::kBoolean, .description = std::move(description)};
}

BodyField DateTimeField(std::string name, std::string description) {
    return BodyField{
        .name = std::move(name), .type = Type::kDateTime, .description = std::move(description), .max_length = 64};
}

BodyField StringsField(std::string name, std::string description, std::size_t max_items, std::size_t max_item_bytes) {
    return BodyField{.name = std::move(name),
                     .type = Type::kStringArray,
                     .description = std::move(description),
                     .max_length = max_items,
                     .max_item_length = max_item_bytes};
}

BodyField ObjectField(std::string name, std::string description, std::vector<BodyField> fields) {
    return BodyField{.name = std::move(name),
                     .type = Type::kObject,
                     .description = std::move(description),
                     .fields = std::move(fields)};
}

void CheckBody(const BodySchema& schema, const json::value& body) {
    if (schema.free_form) return;
    if (!body.is_object()) throw core::Error(core::errc::invalid_argument, "the body must be a JSON object");
    CheckObject(schema.fields, body.get_object(), "", schema.partial);
}

void CheckNoBody(std::string_view body) {
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return;
    boost::system::error_code ec;
    const auto value = json::parse(body, ec);
    if (!ec && value.is_object()) {
        CheckObject({}, value.get_object(), "", false);  // {} passes; fields are named
        return;
    }
    throw core::Error(core::errc::invalid_argument, "this route takes no request body");
}

json::object BodyJsonSchema(const BodySchema& schema) {
    json::object properties;
    json::array required;
    for (const auto& field : schema.fields) {
        properties[field.name] = FieldSchema(field);
        if (field.required && !schema.partial) required.emplace_back(field.name);
    }
    json::object out{{"type", "object"}, {"additionalProperties", false}, {"properties", std::move(properties)}};
    if (!required.empty()) out["required"] = std::move(required);
    return out;
}

BodyField StringMapField(std::string name, std::string description, std::size_t max_entries,
                         std::size_t max_value_bytes) {
    return BodyField{.name = std::move(name),
                     .type = Type::kStringMap,
                     .description = std::move(description),
                     .max_length = max_entries,
                     .max_item_length = max_value_bytes};
}

}  // namespace gatehouse::http
