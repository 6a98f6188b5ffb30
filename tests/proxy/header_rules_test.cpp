#include "proxy/header_rules.hpp"

#include <gtest/gtest.h>

namespace gatehouse::proxy {
namespace {

const Mount kMount{"/gw/app", "http://up.example:8080", ""};

TEST(HeaderRules, Origins) {
    EXPECT_EQ(OriginOf("HTTP://Up.Example:80/x"), "http://up.example");
    EXPECT_EQ(OriginOf("https://up.example:443"), "https://up.example");
    EXPECT_EQ(OriginOf("http://[::1]:80/x"), "http://[::1]");
    EXPECT_EQ(OriginOf("http://[::1]:8080/x"), "http://[::1]:8080");
    EXPECT_EQ(OriginOf("ftp://x/"), "");
    EXPECT_EQ(OriginOf("/relative"), "");
    EXPECT_EQ(OriginOf("http://user@host/"), "");
}

TEST(HeaderRules, LocationsUnderThePrefix) {
    EXPECT_EQ(MapUrl(kMount, "http://up.example:8080/a?b=1"), "/gw/app/a?b=1");
    EXPECT_EQ(MapUrl(kMount, "http://up.example:8080"), "/gw/app/");
    EXPECT_EQ(MapUrl(kMount, "/a"), "/gw/app/a");
    EXPECT_EQ(MapUrl(kMount, "//up.example:8080/a"), "/gw/app/a");
    EXPECT_EQ(MapUrl(kMount, "https://elsewhere/a"), "https://elsewhere/a");
    EXPECT_EQ(MapUrl(kMount, "relative"), "relative");
    const Mount based{"/gw/app", "http://up.example:8080", "/base"};
    EXPECT_EQ(MapUrl(based, "/base/a"), "/gw/app/a");
    EXPECT_EQ(MapUrl(based, "/base"), "/gw/app/");
    EXPECT_EQ(MapUrl(based, "http://up.example:8080/other"), "http://up.example:8080/other");
    EXPECT_EQ(UpstreamPath(based, "/gw/app/x/y"), "/base/x/y");
    EXPECT_EQ(UpstreamPath(based, "/gw/app/"), "/base/");
}

TEST(HeaderRules, SetCookieDomainDroppedPathPrefixed) {
    EXPECT_EQ(MapSetCookie(kMount, "a=1; Path=/; Domain=up.example; HttpOnly"), "a=1; Path=/gw/app/; HttpOnly");
    EXPECT_EQ(MapSetCookie(kMount, "b=2"), "b=2; Path=/gw/app/");
    EXPECT_EQ(MapSetCookie(kMount, "c=3; path=/sub; Secure"), "c=3; Path=/gw/app/sub; Secure");
    const Mount host{"", "http://up.example:8080", ""};
    EXPECT_EQ(MapSetCookie(host, "d=4; Domain=.up.example"), "d=4");
}

TEST(HeaderRules, CookiesAndQuery) {
    EXPECT_EQ(CookieValue("a=1; gatehouse_access=tok; b=2", "gatehouse_access"), "tok");
    EXPECT_FALSE(CookieValue("xgatehouse_access=tok", "gatehouse_access"));
    EXPECT_EQ(WithoutCookies("a=1; gatehouse_access=tok; b=2", {"gatehouse_access"}), "a=1; b=2");
    EXPECT_EQ(WithoutCookies("gatehouse_access=tok", {"gatehouse_access"}), "");
    EXPECT_EQ(WithoutQueryParam("a=1&token=x&b=2&token=y", "token"), "a=1&b=2");
    EXPECT_EQ(ConnectionOptions("keep-alive, X-Private"), (std::vector<std::string>{"keep-alive", "x-private"}));
    EXPECT_TRUE(IsHopByHop("Transfer-Encoding"));
    EXPECT_FALSE(IsHopByHop("X-Forwarded-For"));
}

}  // namespace
}  // namespace gatehouse::proxy
