// The rewriter over tricky inputs, each also fed in every possible two-piece split (a URL, a tag, an entity or a
// keyword cut by a chunk boundary must come out the same as whole).
#include "proxy/rewriter.hpp"

#include <gtest/gtest.h>

#include "http/content_codec.hpp"

namespace gatehouse::proxy {

using http::CanDecode;
using http::DecodeBody;
using http::EncodeBody;
namespace {

const Mount kMount{"/gw/app", "http://127.0.0.1:8081", ""};

template <class Rewriter>
std::string InPieces(const Mount& mount, std::string_view text, std::size_t cut) {
    Rewriter r(mount);
    std::string out;
    r.Feed(text.substr(0, cut), out);
    r.Feed(text.substr(cut), out);
    r.Finish(out);
    return out;
}

template <class Rewriter>
std::string Whole(const Mount& mount, std::string_view text) {
    Rewriter r(mount);
    std::string out;
    r.Feed(text, out);
    r.Finish(out);
    // Every split gives the same text.
    for (std::size_t cut = 0; cut <= text.size(); ++cut)
        EXPECT_EQ(InPieces<Rewriter>(mount, text, cut), out) << "cut at " << cut << " of: " << text;
    return out;
}

std::string Html(std::string_view text, const Mount& mount = kMount) { return Whole<HtmlRewriter>(mount, text); }
std::string Css(std::string_view text) { return Whole<CssRewriter>(kMount, text); }
std::string Js(std::string_view text, const Mount& mount = kMount) { return Whole<JsRewriter>(mount, text); }

TEST(HtmlRewriter, MapsUrlAttributesQuotedOrNot) {
    EXPECT_EQ(Html(R"~(<a href="/x">)~"), R"~(<a href="/gw/app/x">)~");
    EXPECT_EQ(Html(R"~(<a href='/x'>)~"), R"~(<a href='/gw/app/x'>)~");
    EXPECT_EQ(Html(R"~(<a href=/x>)~"), R"~(<a href="/gw/app/x">)~");
    EXPECT_EQ(Html(R"~(<A HREF = "/x" >)~"), R"~(<A HREF = "/gw/app/x" >)~");
    EXPECT_EQ(Html(R"~(<img src="http://127.0.0.1:8081/i.png">)~"), R"~(<img src="/gw/app/i.png">)~");
    EXPECT_EQ(Html(R"~(<img src="//127.0.0.1:8081/i.png">)~"), R"~(<img src="/gw/app/i.png">)~");
    EXPECT_EQ(Html(R"~(<form action="/post"><button formaction=/go>)~"),
              R"~(<form action="/gw/app/post"><button formaction="/gw/app/go">)~");
    EXPECT_EQ(Html(R"~(<video poster="/p.jpg">)~"), R"~(<video poster="/gw/app/p.jpg">)~");
    EXPECT_EQ(Html(R"~(<base href="http://127.0.0.1:8081/">)~"), R"~(<base href="/gw/app/">)~");
}

TEST(HtmlRewriter, LeavesOtherUrlsAlone) {
    for (const auto* same :
         {R"~(<a href="relative/x">)~", R"~(<a href="https://other.example/x">)~", R"~(<a href="#top">)~",
          R"~(<img src="data:image/png;base64,AAAA">)~", R"~(<a href="http://127.0.0.1:80810/x">)~",
          R"~(<a title="/not-a-url">)~", R"~(<input disabled>)~", "</a>", "<!doctype html>"})
        EXPECT_EQ(Html(same), same);
}

TEST(HtmlRewriter, EntitiesInValuesAreDecodedAndEncodedAgain) {
    EXPECT_EQ(Html(R"~(<a href="/p?a=1&amp;b=2">)~"), R"~(<a href="/gw/app/p?a=1&amp;b=2">)~");
    EXPECT_EQ(Html(R"~(<a href="&#47;x">)~"), R"~(<a href="/gw/app/x">)~");
    EXPECT_EQ(Html(R"~(<a href="http&#x3a;//127.0.0.1:8081/x">)~"), R"~(<a href="/gw/app/x">)~");
}

TEST(HtmlRewriter, Srcset) {
    EXPECT_EQ(Html(R"~(<img srcset="/a.png 1x, http://127.0.0.1:8081/b.png 2x,/c.png 3x">)~"),
              R"~(<img srcset="/gw/app/a.png 1x, /gw/app/b.png 2x,/gw/app/c.png 3x">)~");
    EXPECT_EQ(Html(R"~(<source srcset="/a.png">)~"), R"~(<source srcset="/gw/app/a.png">)~");
}

TEST(HtmlRewriter, InlineStyleStyleElementsAndMetaRefresh) {
    EXPECT_EQ(Html(R"~(<div style="background: url('/bg.png')">)~"),
              R"~(<div style="background: url('/gw/app/bg.png')">)~");
    EXPECT_EQ(Html("<style>a{background:url(/a.png)} @import \"/b.css\";</style><p>"),
              "<style>a{background:url(/gw/app/a.png)} @import \"/gw/app/b.css\";</style><p>");
    EXPECT_EQ(Html(R"~(<meta http-equiv="refresh" content="5; url=/next">)~"),
              R"~(<meta http-equiv="refresh" content="5; url=/gw/app/next">)~");
    EXPECT_EQ(Html(R"~(<meta content="5; url=/next" http-equiv=Refresh>)~"),
              R"~(<meta content="5; url=/gw/app/next" http-equiv=Refresh>)~");
    EXPECT_EQ(Html(R"~(<meta name="x" content="/not-refresh">)~"), R"~(<meta name="x" content="/not-refresh">)~");
}

TEST(HtmlRewriter, CommentsPassAsTheyAre) {
    EXPECT_EQ(Html(R"~(<!-- <a href="/x"> --><a href="/y">)~"), R"~(<!-- <a href="/x"> --><a href="/gw/app/y">)~");
}

TEST(HtmlRewriter, ScriptsEndOnlyAtTheirClosingTag) {
    EXPECT_EQ(
        Html(R"~(<script>var s = "</div><a href='/x'>"; fetch("http://127.0.0.1:8081/api");</script><a href="/y">)~"),
        R"~(<script>var s = "</div><a href='/x'>"; fetch("/gw/app/api");</script><a href="/gw/app/y">)~");
    EXPECT_EQ(Html("<SCRIPT>x = 1 < 2;</SCRIPT ><a href=/z>"), "<SCRIPT>x = 1 < 2;</SCRIPT ><a href=\"/gw/app/z\">");
}

TEST(HtmlRewriter, TextWithAngleBracketsAndQuotesInTags) {
    EXPECT_EQ(Html("1 < 2 and 3 > 2 <a title=\"a > b\" href=\"/x\">"),
              "1 < 2 and 3 > 2 <a title=\"a > b\" href=\"/gw/app/x\">");
}

TEST(HtmlRewriter, HostRouteMapsOnlyTheOrigin) {
    const Mount host{"", "http://127.0.0.1:8081", ""};
    EXPECT_EQ(Html(R"~(<a href="/x"><a href="http://127.0.0.1:8081/y">)~", host), R"~(<a href="/x"><a href="/y">)~");
}

TEST(HtmlRewriter, BasePathOfTheUpstream) {
    const Mount based{"/gw/app", "http://127.0.0.1:8081", "/base"};
    EXPECT_EQ(
        Html(R"~(<a href="/base/x"><a href="http://127.0.0.1:8081/base/y"><a href="http://127.0.0.1:8081/z">)~", based),
        R"~(<a href="/gw/app/x"><a href="/gw/app/y"><a href="http://127.0.0.1:8081/z">)~");
}

TEST(CssRewriter, UrlAndImportForms) {
    EXPECT_EQ(Css("a{b:url(/x.png)}"), "a{b:url(/gw/app/x.png)}");
    EXPECT_EQ(Css("a{b:url( \"/x.png\" )}"), "a{b:url( \"/gw/app/x.png\" )}");
    EXPECT_EQ(Css("a{b:URL('http://127.0.0.1:8081/x.png')}"), "a{b:URL('/gw/app/x.png')}");
    EXPECT_EQ(Css("@import '/a.css'; @import url(/b.css);"), "@import '/gw/app/a.css'; @import url(/gw/app/b.css);");
    EXPECT_EQ(Css("a{b:url(data:image/png;base64,AAA)}"), "a{b:url(data:image/png;base64,AAA)}");
    EXPECT_EQ(Css("a{b:url(rel.png)}"), "a{b:url(rel.png)}");
}

TEST(JsRewriter, OriginInStringsAndEscapedJson) {
    EXPECT_EQ(Js(R"~(fetch("http://127.0.0.1:8081/api/x"))~"), R"~(fetch("/gw/app/api/x"))~");
    EXPECT_EQ(Js(R"~(var o = "http://127.0.0.1:8081";)~"), R"~(var o = "/gw/app/";)~");
    EXPECT_EQ(Js(R"~({"u":"http:\/\/127.0.0.1:8081\/a"})~"), R"~({"u":"/gw/app\/a"})~");
    EXPECT_EQ(Js(R"~(new WebSocket("ws:" + "//127.0.0.1:8081/ws"))~"), R"~(new WebSocket("ws:" + "/gw/app/ws"))~");
    EXPECT_EQ(Js(R"~(x = "http://127.0.0.1:80810/a"; y = "https://127.0.0.1:8081/a")~"),
              R"~(x = "http://127.0.0.1:80810/a"; y = "https://127.0.0.1:8081/a")~");
}

TEST(RewriteDocument, ByContentType) {
    EXPECT_EQ(RewriteDocument("text/html; charset=utf-8", kMount, "<a href=/x>"), "<a href=\"/gw/app/x\">");
    EXPECT_EQ(RewriteDocument("text/css", kMount, "a{b:url(/x)}"), "a{b:url(/gw/app/x)}");
    EXPECT_EQ(RewriteDocument("application/javascript", kMount, "'http://127.0.0.1:8081/x'"), "'/gw/app/x'");
    EXPECT_TRUE(IsRewritable("text/html;charset=UTF-8"));
    EXPECT_FALSE(IsRewritable("image/png"));
    EXPECT_FALSE(IsRewritable("application/json"));
}

TEST(ContentCodec, GzipAndBrotliRoundTrip) {
    std::string text;
    for (int i = 0; i < 2000; ++i) text += "<a href=\"/x" + std::to_string(i) + "\">";
    for (const auto* encoding : {"gzip", "br", "", "identity"}) {
        const auto encoded = EncodeBody(encoding, text);
        if (std::string_view(encoding) == "gzip" || std::string_view(encoding) == "br") {
            EXPECT_LT(encoded.size(), text.size() / 4) << encoding;
        }
        const auto decoded = DecodeBody(encoding, encoded, 1 << 20);
        ASSERT_TRUE(decoded) << encoding;
        EXPECT_EQ(*decoded, text) << encoding;
    }
    EXPECT_FALSE(DecodeBody("gzip", "not gzip at all", 1 << 20));
    EXPECT_FALSE(DecodeBody("br", "not brotli", 1 << 20));
    EXPECT_FALSE(DecodeBody("gzip", EncodeBody("gzip", text), 100)) << "over the cap";
    EXPECT_FALSE(CanDecode("zstd"));
    EXPECT_TRUE(CanDecode("GZIP"));
}

}  // namespace
}  // namespace gatehouse::proxy
