#include "store/redact.hpp"

namespace gatehouse::store::detail {
namespace {

// Short values are not worth hiding and would mangle ordinary words in the message.
constexpr std::size_t kMinRedactedLength = 4;

void ReplaceAll(std::string& text, std::string_view needle, std::string_view replacement) {
    for (std::size_t pos = text.find(needle); pos != std::string::npos;
         pos = text.find(needle, pos + replacement.size())) {
        text.replace(pos, needle.size(), replacement);
    }
}

std::string_view ClientDetail(core::errc code) {
    switch (code) {
        case core::errc::already_exists:
            return "a record with this key already exists";
        case core::errc::conflict:
            return "the change conflicts with existing data";
        case core::errc::unavailable:
            return "database is busy";
        default:
            return "database error";
    }
}

}  // namespace

std::string RedactParams(std::string text, std::span<const Value> params) {
    for (const Value& v : params) {
        const std::string* s = std::get_if<std::string>(&v);
        if (const auto* blob = std::get_if<Blob>(&v)) s = &blob->bytes;
        if (s != nullptr && s->size() >= kMinRedactedLength) ReplaceAll(text, *s, "<redacted>");
    }
    return text;
}

std::string RedactUrl(std::string_view url) {
    std::string out(url);
    const std::size_t scheme_end = out.find("://");
    if (scheme_end != std::string::npos) {
        const std::size_t authority = scheme_end + 3;
        const std::size_t authority_end = out.find_first_of("/?#", authority);
        const std::size_t at = out.rfind('@', authority_end == std::string::npos ? out.size() : authority_end);
        if (at != std::string::npos && at >= authority) {
            const std::size_t colon = out.find(':', authority);
            if (colon != std::string::npos && colon < at) out.erase(colon, at - colon);
        }
    }
    // password=... in the query string, up to the next '&'.
    for (std::size_t pos = out.find("password="); pos != std::string::npos; pos = out.find("password=", pos + 1)) {
        if (pos > 0 && out[pos - 1] != '?' && out[pos - 1] != '&') continue;
        const std::size_t value = pos + 9;
        const std::size_t end = out.find('&', value);
        out.replace(value, (end == std::string::npos ? out.size() : end) - value, "<redacted>");
    }
    return out;
}

core::Error MakeError(core::errc code, std::string_view backend, std::string_view message, std::string_view sql,
                      std::span<const Value> params) {
    std::string internal(backend);
    internal += ": ";
    internal += message;
    if (!sql.empty()) {
        internal += " [in: ";
        internal += sql;
        internal += ']';
    }
    return core::Error(code, std::string(ClientDetail(code)), RedactParams(std::move(internal), params));
}

}  // namespace gatehouse::store::detail
