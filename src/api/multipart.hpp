#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace gatehouse::api {

/// The named parts of a multipart/form-data body (name -> content; files included by field name).
/// nullopt when the content type has no boundary or the body is malformed.
std::optional<std::map<std::string, std::string>> ParseMultipart(std::string_view content_type, std::string_view body);

}  // namespace gatehouse::api
