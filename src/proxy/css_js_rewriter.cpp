#include <algorithm>
#include <cctype>

#include "core/text.hpp"
#include "proxy/rewriter.hpp"

namespace gatehouse::proxy {
namespace {

constexpr std::size_t kMaxHeld = 16 * 1024;  // a url( or a tag this long is not one: let it through unchanged

// The url() contents, mapped, in the quotes they came in.
std::string MapCssUrl(const Mount& mount, std::string_view inner) {
    std::size_t b = 0;
    std::size_t e = inner.size();
    while (b < e && std::isspace(static_cast<unsigned char>(inner[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(inner[e - 1]))) --e;
    auto value = inner.substr(b, e - b);
    char quote = 0;
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
        quote = value.front();
        value = value.substr(1, value.size() - 2);
    }
    const auto mapped = RewriteUrl(mount, value);
    if (mapped == value) return std::string(inner);
    return std::string(inner.substr(0, b)) + (quote ? std::string(1, quote) : "") + mapped +
           (quote ? std::string(1, quote) : "") + std::string(inner.substr(e));
}

}  // namespace

std::size_t FindNoCase(std::string_view text, std::string_view needle, std::size_t from) {
    for (std::size_t i = from; i + needle.size() <= text.size(); ++i)
        if (core::IEquals(text.substr(i, needle.size()), needle)) return i;
    return std::string_view::npos;
}

std::string RewriteUrl(const Mount& mount, std::string_view url) {
    if (url.empty() || url.starts_with("data:") || url.starts_with("#")) return std::string(url);
    return MapUrl(mount, url);
}

void CssRewriter::Feed(std::string_view in, std::string& out) {
    pending_.append(in);
    std::string_view text = pending_;
    std::size_t pos = 0;
    for (;;) {
        const auto url = FindNoCase(text, "url(", pos);
        const auto import = FindNoCase(text, "@import", pos);
        const auto at = std::min(url, import);
        if (at == std::string_view::npos) break;
        out.append(text.substr(pos, at - pos));
        if (at == url) {
            const auto close = text.find(')', at + 4);
            if (close == std::string_view::npos) {
                if (text.size() - at > kMaxHeld) {  // never closed: not a url() to rewrite
                    out.append(text.substr(at));
                    pending_.clear();
                    return;
                }
                pending_ = std::string(text.substr(at));
                return;
            }
            out.append(text.substr(at, 4));
            out.append(MapCssUrl(*mount_, text.substr(at + 4, close - at - 4)));
            pos = close;
            continue;
        }
        // @import "x" or @import 'x' (the url() form is handled above)
        auto after = at + 7;
        while (after < text.size() && std::isspace(static_cast<unsigned char>(text[after]))) ++after;
        if (after >= text.size()) {
            pending_ = std::string(text.substr(at));
            return;
        }
        const char quote = text[after];
        if (quote != '"' && quote != '\'') {
            out.append(text.substr(at, after - at));
            pos = after;
            continue;
        }
        const auto end = text.find(quote, after + 1);
        if (end == std::string_view::npos) {
            pending_ = std::string(text.substr(at));
            return;
        }
        out.append(text.substr(at, after + 1 - at));
        out.append(RewriteUrl(*mount_, text.substr(after + 1, end - after - 1)));
        pos = end;
    }
    // Hold back what could be the start of "url(" or "@import" cut by the piece's end.
    const std::size_t hold = std::min<std::size_t>(6, text.size() - pos);
    out.append(text.substr(pos, text.size() - pos - hold));
    pending_ = std::string(text.substr(text.size() - hold));
}

void CssRewriter::Finish(std::string& out) {
    out.append(pending_);
    pending_.clear();
}

JsRewriter::JsRewriter(const Mount& mount) : mount_(&mount) {
    const auto origin = mount.origin + mount.base;
    needles_[0] = origin;
    std::string escaped;
    for (const char c : origin) {
        if (c == '/') escaped += '\\';
        escaped += c;
    }
    needles_[1] = escaped;
    const auto host = origin.substr(origin.find("://") + 1);  // "//host:port/base"
    needles_[2] = host;
    std::string escaped_host;
    for (const char c : host) {
        if (c == '/') escaped_host += '\\';
        escaped_host += c;
    }
    needles_[3] = escaped_host;
}

std::size_t JsRewriter::Replace(std::string_view text, std::string& out, bool final) {
    std::size_t pos = 0;  // text before pos is written
    for (std::size_t i = 0; i < text.size(); ++i) {
        for (std::size_t n = 0; n < std::size(needles_); ++n) {
            const std::string_view needle = needles_[n];
            const auto rest = text.substr(i);
            if (!final && rest.size() <= needle.size() && needle.starts_with(rest)) {
                // A needle cut by the piece's end, or one whose next character decides: wait for more.
                out.append(text.substr(pos, i - pos));
                return text.size() - i;
            }
            if (!rest.starts_with(needle)) continue;
            const auto next = i + needle.size();
            // The host must end here: "host:8080" is not "host:80" followed by "80".
            if (next < text.size()) {
                const char c = text[next];
                if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_') continue;
            }
            // A scheme-relative needle right after "scheme:" is the tail of an absolute one of another scheme.
            const char before = i > 0 ? text[i - 1] : before_;
            if (n >= 2 && before == ':') continue;
            out.append(text.substr(pos, i - pos));
            out.append(mount_->prefix);
            if (next >= text.size() || (text[next] != '/' && text[next] != '\\')) out.append("/");
            pos = next;
            i = next - 1;
            break;
        }
    }
    out.append(text.substr(pos));
    return 0;
}

void JsRewriter::Feed(std::string_view in, std::string& out) {
    pending_.append(in);
    const auto held = Replace(pending_, out, false);
    if (pending_.size() > held) before_ = pending_[pending_.size() - held - 1];
    pending_.erase(0, pending_.size() - held);
}

void JsRewriter::Finish(std::string& out) {
    Replace(pending_, out, true);
    pending_.clear();
}

}  // namespace gatehouse::proxy
