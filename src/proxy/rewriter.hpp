#pragma once
// URL rewriting of proxied HTML, CSS and JavaScript, so an app that links to its own origin or to root-relative
// paths works under /gw/{slug}/. Streaming: text is fed in pieces cut anywhere (inside a tag, an attribute, a URL,
// a keyword) and comes out as soon as it can no longer change; what might still change is held back.

#include <string>
#include <string_view>

#include "proxy/header_rules.hpp"

namespace gatehouse::proxy {

/// url() and @import in a style sheet (or a style attribute, or a <style> element).
class CssRewriter {
  public:
    explicit CssRewriter(const Mount& mount) : mount_(&mount) {}
    void Feed(std::string_view in, std::string& out);
    void Finish(std::string& out);

  private:
    const Mount* mount_;
    std::string pending_;
};

/// The upstream's origin (with its base path) in script text: in string literals, JSON and URLs built by scripts
/// (`fetch("http://upstream/api")`). Replaced wherever it stands, followed by a path, a quote or the end of the host.
class JsRewriter {
  public:
    explicit JsRewriter(const Mount& mount);
    void Feed(std::string_view in, std::string& out);
    void Finish(std::string& out);

  private:
    // Replaces every complete needle in `text` and returns how much of its end must wait for more input.
    std::size_t Replace(std::string_view text, std::string& out, bool final);

    const Mount* mount_;
    std::string needles_[4];  // origin+base, its JSON-escaped form ("\/"), and both scheme-relative
    std::string pending_;
    char before_ = 0;  // the last character already written, which held-back text follows
};

/// HTML: href, src, action, formaction, poster, srcset, <base href>, inline style and <style> url(), meta refresh,
/// and scripts through JsRewriter. Attribute values may be quoted or not and hold entities; comments pass as they
/// are; a <script> ends only at its </script>.
class HtmlRewriter {
  public:
    explicit HtmlRewriter(const Mount& mount) : mount_(&mount), css_(mount), js_(mount) {}
    void Feed(std::string_view in, std::string& out);
    void Finish(std::string& out);

  private:
    enum class State { text, comment, raw };
    std::string RewriteTag(std::string_view tag);

    const Mount* mount_;
    State state_ = State::text;
    std::string pending_;
    std::string raw_end_;  // "</script" or "</style" while in raw text
    CssRewriter css_;
    JsRewriter js_;
};

/// Rewrites one whole document of `content_type` (text/html, text/css, JavaScript); nullopt-free convenience.
std::string RewriteDocument(std::string_view content_type, const Mount& mount, std::string_view body);
/// Whether responses of `content_type` are rewritten.
bool IsRewritable(std::string_view content_type);

/// Where `needle` first stands in `text` from `from` on, ASCII case ignored (tag names, url(, @import); npos if not.
std::size_t FindNoCase(std::string_view text, std::string_view needle, std::size_t from);

/// One URL as the client must see it (MapUrl), for attribute values and url() contents.
std::string RewriteUrl(const Mount& mount, std::string_view url);

}  // namespace gatehouse::proxy
