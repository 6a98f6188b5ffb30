#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "http/types.hpp"

namespace gatehouse::api {

/// Input helpers for handlers. Each throws core::Error(invalid_argument) naming the field.
const boost::json::object& RequireObject(const boost::json::value& body);
std::string RequireString(const boost::json::object& body, std::string_view field, std::size_t max_bytes = 4096);
std::optional<std::string> OptionalString(const boost::json::object& body, std::string_view field,
                                          std::size_t max_bytes = 4096);
std::optional<bool> OptionalBool(const boost::json::object& body, std::string_view field);
/// Refuses fields other than `allowed`, so a typo is an error rather than silently ignored.
void OnlyFields(const boost::json::object& body, std::initializer_list<std::string_view> allowed);

/// A query filter `?name=value`; an empty value (`?name=`) counts as absent, since forms submit empty fields.
std::optional<std::string> FilterParam(const http::RequestContext& context, std::string_view name);
/// A filter that must be one of `allowed` (400 listing them otherwise).
std::optional<std::string> ChoiceParam(const http::RequestContext& context, std::string_view name,
                                       std::span<const std::string_view> allowed);

/// An integer query parameter from `min` to `max` (400 naming the range otherwise); nullopt when absent or empty.
std::optional<std::int64_t> IntParam(const http::RequestContext& context, std::string_view name, std::int64_t min,
                                     std::int64_t max);

/// `?limit=` (1..500, default 50).
std::size_t PageLimit(const http::RequestContext& context);

http::Response NoContent();

/// The string, or JSON null when absent.
boost::json::value OptionalJson(const std::optional<std::string>& value);

}  // namespace gatehouse::api
