#include "core/text.hpp"

#include <gtest/gtest.h>

#include "core/base64.hpp"

namespace gatehouse::core {
namespace {

TEST(Utf8, AcceptsTextAndRefusesWhatIsNot) {
    EXPECT_TRUE(IsValidUtf8(""));
    EXPECT_TRUE(IsValidUtf8("plain ascii\n"));
    EXPECT_TRUE(IsValidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
    EXPECT_TRUE(IsValidUtf8(std::string("nul\0inside", 10)));
    EXPECT_FALSE(IsValidUtf8("\xff"));
    EXPECT_FALSE(IsValidUtf8("\xc3"));              // cut
    EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong
    EXPECT_FALSE(IsValidUtf8("\xe0\x80\xaf"));      // overlong
    EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
    EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
    EXPECT_FALSE(IsValidUtf8("a\x80z"));            // stray continuation
}

TEST(Utf8, CompleteLengthHoldsBackOnlyAnUnfinishedCharacter) {
    EXPECT_EQ(Utf8CompleteLength("abc"), 3u);
    EXPECT_EQ(Utf8CompleteLength("ab\xc3"), 2u);
    EXPECT_EQ(Utf8CompleteLength("ab\xc3\xa9"), 4u);
    EXPECT_EQ(Utf8CompleteLength("\xe2\x82"), 0u);
    EXPECT_EQ(Utf8CompleteLength("x\xf0\x9f\x98"), 1u);
    EXPECT_EQ(Utf8CompleteLength("x\xf0\x9f\x98\x80"), 5u);
    EXPECT_EQ(Utf8CompleteLength("\xff\xff"), 2u);  // not text at all: nothing to wait for
    EXPECT_EQ(Utf8CompleteLength("a\x80\x80\x80"), 4u);
    EXPECT_EQ(Utf8CompleteLength(""), 0u);
}

TEST(Base64, MatchesRfc4648Vectors) {
    EXPECT_EQ(Base64Encode(""), "");
    EXPECT_EQ(Base64Encode("f"), "Zg==");
    EXPECT_EQ(Base64Encode("fo"), "Zm8=");
    EXPECT_EQ(Base64Encode("foo"), "Zm9v");
    EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
    EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
    EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
    EXPECT_EQ(Base64Encode(std::string("\xff\xfe\x00", 3)), "//4A");
}

TEST(Text, IEqualsComparesAsciiCaseInsensitivelyWithinBounds) {
    EXPECT_TRUE(IEquals("Application/JSON", "application/json"));
    EXPECT_FALSE(IEquals("chunked", "chunkeD "));
    EXPECT_FALSE(IEquals("a", "ab"));
    EXPECT_TRUE(IEquals("", ""));
    EXPECT_FALSE(IEquals("\xc3\x84", "\xc3\xa4"));  // ASCII only: no locale folding
    // What the fuzzer found in Beast 1.81's iequals: inputs differing only in case, read past their end.
    const std::string a(1, 'X'), b(1, 'x');
    EXPECT_TRUE(IEquals(std::string_view(a.data(), 1), std::string_view(b.data(), 1)));
}

TEST(Base64, DecodesWhatItEncodesAndRefusesTheRest) {
    std::string out;
    for (std::size_t n = 0; n < 40; ++n) {
        std::string bytes;
        for (std::size_t i = 0; i < n; ++i) bytes.push_back(static_cast<char>(i * 37 + 11));
        if (n > 0) {
            ASSERT_TRUE(Base64Decode(Base64Encode(bytes), out)) << n;
            EXPECT_EQ(out, bytes);
        }
        EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(bytes)), bytes);
        EXPECT_EQ(Base64UrlEncode(bytes).find('='), std::string::npos);
    }
    EXPECT_TRUE(Base64Decode("Zm9v\nYmFy", out, true));
    EXPECT_EQ(out, "foobar");
    EXPECT_FALSE(Base64Decode("Zm9v\nYmFy", out, false));
    EXPECT_FALSE(Base64Decode("Zm8=Zm8=", out));  // data after padding
    EXPECT_FALSE(Base64Decode("Zm8", out));       // not a multiple of four
    EXPECT_FALSE(Base64Decode("Zm-_", out));      // url alphabet in standard base64
    EXPECT_FALSE(Base64UrlDecode("ab+/"));        // standard alphabet in base64url
    EXPECT_FALSE(Base64UrlDecode("abcde"));       // a length no encoding has
    EXPECT_FALSE(Base64UrlDecode("Zg=="));        // padding
    EXPECT_EQ(Base64UrlDecode("Zg"), "f");
    EXPECT_FALSE(Base64UrlDecode("Zh"));  // the same byte with unused bits set: one spelling only
}

}  // namespace
}  // namespace gatehouse::core
