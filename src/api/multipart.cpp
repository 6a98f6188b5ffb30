#include "api/multipart.hpp"

#include "core/text.hpp"

namespace gatehouse::api {
namespace {

std::optional<std::string> Attribute(std::string_view header, std::string_view name) {
    const std::string key = std::string(name) + "=";
    auto pos = header.find(key);
    while (pos != std::string_view::npos && pos > 0 && header[pos - 1] != ' ' && header[pos - 1] != ';')
        pos = header.find(key, pos + 1);
    if (pos == std::string_view::npos) return std::nullopt;
    auto value = header.substr(pos + key.size());
    if (!value.empty() && value.front() == '"') {
        const auto end = value.find('"', 1);
        if (end == std::string_view::npos) return std::nullopt;
        return std::string(value.substr(1, end - 1));
    }
    return std::string(value.substr(0, value.find(';')));
}

}  // namespace

std::optional<std::map<std::string, std::string>> ParseMultipart(std::string_view content_type, std::string_view body) {
    if (!core::IEquals(content_type.substr(0, content_type.find(';')), "multipart/form-data")) return std::nullopt;
    const auto boundary = Attribute(content_type, "boundary");
    if (!boundary || boundary->empty() || boundary->size() > 200) return std::nullopt;
    const std::string delimiter = "--" + *boundary;
    std::map<std::string, std::string> parts;
    auto pos = body.find(delimiter);
    if (pos == std::string_view::npos) return std::nullopt;
    while (true) {
        pos += delimiter.size();
        if (body.substr(pos, 2) == "--") return parts;  // closing delimiter
        if (body.substr(pos, 2) != "\r\n") return std::nullopt;
        pos += 2;
        const auto headers_end = body.find("\r\n\r\n", pos);
        if (headers_end == std::string_view::npos) return std::nullopt;
        const auto headers = body.substr(pos, headers_end - pos);
        const auto next = body.find("\r\n" + delimiter, headers_end + 4);
        if (next == std::string_view::npos) return std::nullopt;
        std::optional<std::string> name;
        std::size_t line_start = 0;
        while (line_start <= headers.size()) {
            const auto line_end = headers.find("\r\n", line_start);
            const auto line = headers.substr(
                line_start, line_end == std::string_view::npos ? std::string_view::npos : line_end - line_start);
            if (core::IEquals(line.substr(0, 20), "content-disposition:")) name = Attribute(line, "name");
            if (line_end == std::string_view::npos) break;
            line_start = line_end + 2;
        }
        if (!name) return std::nullopt;
        parts[*name] = std::string(body.substr(headers_end + 4, next - headers_end - 4));
        pos = next + 2;
    }
}

}  // namespace gatehouse::api
