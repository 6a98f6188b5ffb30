#pragma once
// Header values: comma- and semicolon-separated lists (RFC 9110 5.6.1), the content coding a client takes, and
// whether the representation it has cached is still current.

#include <initializer_list>
#include <string_view>

namespace gatehouse::http {

/// `value` without the optional whitespace (spaces and tabs) around it.
std::string_view TrimOws(std::string_view value);

/// Calls fn(item) for every `separator`-separated item of `value`, trimmed (empty ones too).
template <class F>
void ForEachItem(std::string_view value, char separator, F fn) {
    while (true) {
        const auto at = value.find(separator);
        fn(TrimOws(value.substr(0, at)));
        if (at == std::string_view::npos) return;
        value.remove_prefix(at + 1);
    }
}

/// The first of `offered` (the server's order of preference) that Accept-Encoding admits: named with a q above 0,
/// or covered by `*`. Empty when none is (identity).
std::string_view PreferredCoding(std::string_view accept_encoding, std::initializer_list<std::string_view> offered);

/// Whether If-None-Match names `etag` (weak comparison, as RFC 9110 asks for it: W/ is ignored) or is `*`.
bool IfNoneMatchHits(std::string_view if_none_match, std::string_view etag);

}  // namespace gatehouse::http
