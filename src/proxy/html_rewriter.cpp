#include <cctype>
#include <vector>

#include "core/text.hpp"
#include "proxy/rewriter.hpp"

namespace gatehouse::proxy {
namespace {

constexpr std::size_t kMaxTag = 64 * 1024;  // a "tag" this long is text that happens to hold a '<'

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// Where the tag starting at text[0] == '<' ends (index of its '>'), quotes respected; npos when not yet.
std::size_t TagEnd(std::string_view text) {
    char quote = 0;
    bool in_value = false;  // quotes only open an attribute value (after '=')
    for (std::size_t i = 1; i < text.size(); ++i) {
        const char c = text[i];
        if (quote) {
            if (c == quote) quote = 0;
            continue;
        }
        if (c == '>') return i;
        if (c == '=') {
            in_value = true;
            continue;
        }
        if (in_value && (c == '"' || c == '\'')) {
            quote = c;
            in_value = false;
            continue;
        }
        if (!IsSpace(c)) in_value = false;
    }
    return std::string_view::npos;
}

std::string DecodeEntities(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '&') {
            out += text[i];
            continue;
        }
        const auto semi = text.find(';', i);
        if (semi == std::string_view::npos || semi - i > 10) {
            out += '&';
            continue;
        }
        const auto name = text.substr(i + 1, semi - i - 1);
        long code = -1;
        if (name == "amp")
            code = '&';
        else if (name == "quot")
            code = '"';
        else if (name == "apos")
            code = '\'';
        else if (name == "lt")
            code = '<';
        else if (name == "gt")
            code = '>';
        else if (name.size() > 1 && name[0] == '#') {
            const bool hex = name[1] == 'x' || name[1] == 'X';
            const std::string digits(name.substr(hex ? 2 : 1));
            char* end = nullptr;
            code = digits.empty() ? -1 : std::strtol(digits.c_str(), &end, hex ? 16 : 10);
            if (!end || *end != '\0' || code <= 0 || code > 127) code = -1;  // URLs are ASCII
        }
        if (code < 0) {
            out += '&';
            continue;
        }
        out += static_cast<char>(code);
        i = semi;
    }
    return out;
}

std::string EncodeValue(std::string_view text, char quote) {
    std::string out;
    for (const char c : text) {
        if (c == '&')
            out += "&amp;";
        else if (c == quote)
            out += quote == '"' ? "&quot;" : "&#39;";
        else
            out += c;
    }
    return out;
}

std::string RewriteSrcset(const Mount& mount, std::string_view value) {
    std::string out;
    std::size_t i = 0;
    while (i < value.size()) {
        while (i < value.size() && (IsSpace(value[i]) || value[i] == ',')) out += value[i++];
        const auto url_start = i;
        while (i < value.size() && !IsSpace(value[i])) ++i;
        auto url = value.substr(url_start, i - url_start);
        std::string_view trailing;
        while (!url.empty() && url.back() == ',') {  // "a.png," with no descriptor
            url.remove_suffix(1);
            trailing = value.substr(url_start + url.size(), i - url_start - url.size());
        }
        out += RewriteUrl(mount, url);
        out += trailing;
        const auto descriptor_start = i;
        if (trailing.empty()) {
            while (i < value.size() && value[i] != ',') ++i;
            out += value.substr(descriptor_start, i - descriptor_start);
        }
    }
    return out;
}

std::string RewriteStyle(const Mount& mount, std::string_view value) {
    CssRewriter css(mount);
    std::string out;
    css.Feed(value, out);
    css.Finish(out);
    return out;
}

// "5; url=/next" -> "5; url=/gw/app/next"
std::string RewriteRefresh(const Mount& mount, std::string_view value) {
    const auto at = FindNoCase(value, "url=", 0);
    if (at == std::string_view::npos) return std::string(value);
    auto url = value.substr(at + 4);
    char quote = 0;
    if (!url.empty() && (url.front() == '\'' || url.front() == '"')) {
        quote = url.front();
        url.remove_prefix(1);
        if (!url.empty() && url.back() == quote) url.remove_suffix(1);
    }
    std::string out(value.substr(0, at + 4));
    if (quote) out += quote;
    out += RewriteUrl(mount, url);
    if (quote) out += quote;
    return out;
}

struct Attribute {
    std::string name;  // lowercase
    std::size_t value_begin = 0;
    std::size_t value_end = 0;  // the raw value (without quotes) is tag[value_begin, value_end)
    char quote = 0;             // 0: unquoted
    bool has_value = false;
};

std::vector<Attribute> Attributes(std::string_view tag, std::size_t from) {
    std::vector<Attribute> attributes;
    std::size_t i = from;
    const auto end = tag.size() - 1;  // the '>'
    while (i < end) {
        while (i < end && (IsSpace(tag[i]) || tag[i] == '/')) ++i;
        const auto name_start = i;
        while (i < end && !IsSpace(tag[i]) && tag[i] != '=' && tag[i] != '>' && tag[i] != '/') ++i;
        if (i == name_start) break;
        Attribute a;
        a.name = core::AsciiLower(tag.substr(name_start, i - name_start));
        while (i < end && IsSpace(tag[i])) ++i;
        if (i < end && tag[i] == '=') {
            ++i;
            while (i < end && IsSpace(tag[i])) ++i;
            a.has_value = true;
            if (i < end && (tag[i] == '"' || tag[i] == '\'')) {
                a.quote = tag[i];
                a.value_begin = ++i;
                while (i < end && tag[i] != a.quote) ++i;
                a.value_end = i;
                if (i < end) ++i;
            } else {
                a.value_begin = i;
                while (i < end && !IsSpace(tag[i])) ++i;
                a.value_end = i;
            }
        }
        attributes.push_back(std::move(a));
    }
    return attributes;
}

bool IsUrlAttribute(std::string_view name) {
    return name == "href" || name == "src" || name == "action" || name == "formaction" || name == "poster" ||
           name == "background" || name == "xlink:href" || name == "data";
}

}  // namespace

std::string HtmlRewriter::RewriteTag(std::string_view tag) {
    std::size_t i = 1;
    if (i < tag.size() && (tag[i] == '/' || tag[i] == '!' || tag[i] == '?')) return std::string(tag);
    while (i < tag.size() && (std::isalnum(static_cast<unsigned char>(tag[i])) || tag[i] == '-' || tag[i] == ':')) ++i;
    const auto name = core::AsciiLower(tag.substr(1, i - 1));
    if (name.empty()) return std::string(tag);
    const auto attributes = Attributes(tag, i);
    bool refresh = false;
    if (name == "meta")
        for (const auto& a : attributes)
            if (a.name == "http-equiv" &&
                core::IEquals(tag.substr(a.value_begin, a.value_end - a.value_begin), "refresh"))
                refresh = true;
    std::string out(tag);
    // From the last attribute to the first, so earlier offsets stay valid.
    for (auto it = attributes.rbegin(); it != attributes.rend(); ++it) {
        const auto& a = *it;
        if (!a.has_value) continue;
        const auto raw = tag.substr(a.value_begin, a.value_end - a.value_begin);
        const auto value = DecodeEntities(raw);
        std::string mapped;
        if (IsUrlAttribute(a.name))
            mapped = RewriteUrl(*mount_, value);
        else if (a.name == "srcset" || a.name == "imagesrcset")
            mapped = RewriteSrcset(*mount_, value);
        else if (a.name == "style")
            mapped = RewriteStyle(*mount_, value);
        else if (a.name == "content" && refresh)
            mapped = RewriteRefresh(*mount_, value);
        else
            continue;
        if (mapped == value) continue;
        const char quote = a.quote ? a.quote : '"';
        const auto encoded = EncodeValue(mapped, quote);
        if (a.quote) {
            out.replace(a.value_begin, a.value_end - a.value_begin, encoded);
        } else {
            out.replace(a.value_begin, a.value_end - a.value_begin, std::string(1, quote) + encoded + quote);
        }
    }
    const bool self_closing = tag.size() >= 2 && tag[tag.size() - 2] == '/';
    if (!self_closing && (name == "script" || name == "style")) {
        state_ = State::raw;
        raw_end_ = "</" + name;
    }
    return out;
}

void HtmlRewriter::Feed(std::string_view in, std::string& out) {
    pending_.append(in);
    const std::string buffer = std::move(pending_);
    pending_.clear();
    const std::string_view text = buffer;
    std::size_t pos = 0;
    while (pos < text.size()) {
        if (state_ == State::comment) {
            const auto end = text.find("-->", pos);
            if (end == std::string_view::npos) {
                const std::size_t hold = std::min<std::size_t>(2, text.size() - pos);
                out.append(text.substr(pos, text.size() - pos - hold));
                pending_ = std::string(text.substr(text.size() - hold));
                return;
            }
            out.append(text.substr(pos, end + 3 - pos));
            pos = end + 3;
            state_ = State::text;
            continue;
        }
        if (state_ == State::raw) {
            const auto end = FindNoCase(text, raw_end_, pos);
            const bool script = raw_end_ == "</script";
            if (end == std::string_view::npos) {
                // Hold back what could be the start of the closing tag.
                const std::size_t hold = std::min(raw_end_.size() - 1, text.size() - pos);
                const auto content = text.substr(pos, text.size() - pos - hold);
                script ? js_.Feed(content, out) : css_.Feed(content, out);
                pending_ = std::string(text.substr(text.size() - hold));
                return;
            }
            const auto content = text.substr(pos, end - pos);
            if (script) {
                js_.Feed(content, out);
                js_.Finish(out);
            } else {
                css_.Feed(content, out);
                css_.Finish(out);
            }
            pos = end;
            state_ = State::text;
            continue;
        }
        const auto lt = text.find('<', pos);
        if (lt == std::string_view::npos) {
            out.append(text.substr(pos));
            return;
        }
        out.append(text.substr(pos, lt - pos));
        const auto rest = text.substr(lt);
        if (rest.size() < 4 && std::string_view("<!--").starts_with(rest)) {
            pending_ = std::string(rest);
            return;
        }
        if (rest.starts_with("<!--")) {
            out.append("<!--");
            pos = lt + 4;
            state_ = State::comment;
            continue;
        }
        if (rest.size() < 2) {
            pending_ = std::string(rest);
            return;
        }
        const char next = rest[1];
        if (!std::isalpha(static_cast<unsigned char>(next)) && next != '/' && next != '!' && next != '?') {
            out += '<';
            pos = lt + 1;
            continue;
        }
        const auto end = TagEnd(rest);
        if (end == std::string_view::npos) {
            if (rest.size() > kMaxTag) {
                out.append(rest);
                return;
            }
            pending_ = std::string(rest);
            return;
        }
        out.append(RewriteTag(rest.substr(0, end + 1)));
        pos = lt + end + 1;
    }
}

void HtmlRewriter::Finish(std::string& out) {
    if (state_ == State::raw) {
        if (raw_end_ == "</script") {
            js_.Feed(pending_, out);
            js_.Finish(out);
        } else {
            css_.Feed(pending_, out);
            css_.Finish(out);
        }
    } else {
        out.append(pending_);
    }
    pending_.clear();
}

bool IsRewritable(std::string_view content_type) {
    const auto type = core::AsciiLower(content_type.substr(0, content_type.find(';')));
    return type == "text/html" || type == "application/xhtml+xml" || type == "text/css" ||
           type == "application/javascript" || type == "text/javascript" || type == "application/x-javascript";
}

std::string RewriteDocument(std::string_view content_type, const Mount& mount, std::string_view body) {
    const auto type = core::AsciiLower(content_type.substr(0, content_type.find(';')));
    std::string out;
    out.reserve(body.size() + body.size() / 16);
    if (type == "text/css") {
        CssRewriter css(mount);
        css.Feed(body, out);
        css.Finish(out);
    } else if (type == "text/html" || type == "application/xhtml+xml") {
        HtmlRewriter html(mount);
        html.Feed(body, out);
        html.Finish(out);
    } else {
        JsRewriter js(mount);
        js.Feed(body, out);
        js.Finish(out);
    }
    return out;
}

}  // namespace gatehouse::proxy
