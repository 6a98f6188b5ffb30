#include "api/json_fields.hpp"

#include <algorithm>
#include <charconv>

#include "core/errc.hpp"

namespace gatehouse::api {
namespace {

core::Error Invalid(std::string_view field, std::string_view problem) {
    return core::Error(core::errc::invalid_argument, "field '" + std::string(field) + "' " + std::string(problem));
}

}  // namespace

const boost::json::object& RequireObject(const boost::json::value& body) {
    if (!body.is_object()) throw core::Error(core::errc::invalid_argument, "expected a JSON object");
    return body.as_object();
}

std::optional<std::string> OptionalString(const boost::json::object& body, std::string_view field,
                                          std::size_t max_bytes) {
    const auto* value = body.if_contains(field);
    if (!value || value->is_null()) return std::nullopt;
    if (!value->is_string()) throw Invalid(field, "must be a string");
    if (value->as_string().size() > max_bytes)
        throw Invalid(field, "must be at most " + std::to_string(max_bytes) + " bytes");
    return std::string(value->as_string());
}

std::string RequireString(const boost::json::object& body, std::string_view field, std::size_t max_bytes) {
    auto value = OptionalString(body, field, max_bytes);
    if (!value) throw Invalid(field, "is required");
    return *value;
}

std::optional<bool> OptionalBool(const boost::json::object& body, std::string_view field) {
    const auto* value = body.if_contains(field);
    if (!value || value->is_null()) return std::nullopt;
    if (!value->is_bool()) throw Invalid(field, "must be true or false");
    return value->as_bool();
}

void OnlyFields(const boost::json::object& body, std::initializer_list<std::string_view> allowed) {
    for (const auto& [key, value] : body) {
        bool known = false;
        for (auto name : allowed) known |= key == name;
        if (!known) throw Invalid(key, "is not known here");
    }
}

std::optional<std::string> FilterParam(const http::RequestContext& context, std::string_view name) {
    auto value = context.Query(name);
    if (value && value->empty()) return std::nullopt;
    return value;
}

std::optional<std::string> ChoiceParam(const http::RequestContext& context, std::string_view name,
                                       std::span<const std::string_view> allowed) {
    auto value = FilterParam(context, name);
    if (!value || std::find(allowed.begin(), allowed.end(), *value) != allowed.end()) return value;
    std::string list;
    for (auto choice : allowed) list += (list.empty() ? "" : ", ") + std::string(choice);
    throw core::Error(core::errc::invalid_argument, std::string(name) + " must be one of " + list);
}

std::optional<std::int64_t> IntParam(const http::RequestContext& context, std::string_view name, std::int64_t min,
                                     std::int64_t max) {
    const auto text = FilterParam(context, name);
    if (!text) return std::nullopt;
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || end != text->data() + text->size() || value < min || value > max)
        throw core::Error(core::errc::invalid_argument, std::string(name) + " must be an integer from " +
                                                            std::to_string(min) + " to " + std::to_string(max));
    return value;
}

std::size_t PageLimit(const http::RequestContext& context) {
    return static_cast<std::size_t>(IntParam(context, "limit", 1, 500).value_or(50));
}

boost::json::value OptionalJson(const std::optional<std::string>& value) {
    return value ? boost::json::value(*value) : boost::json::value(nullptr);
}

http::Response NoContent() {
    http::Response response{http::Status::no_content, 11};
    return response;
}

}  // namespace gatehouse::api
