#include "auth/jwt.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth/opaque_token.hpp"

namespace gatehouse::auth {
namespace {

const std::string kKey(32, 'k');
constexpr std::int64_t kNow = 1'800'000'000;

AccessClaims Claims() { return AccessClaims{"user-1", "admin", "jti-1", "fam-1", 3, kNow - 10, kNow + 900}; }

std::string Hmac(const EVP_MD* md, std::string_view data, const std::string& key = kKey) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(md, key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         mac, &length);
    return std::string(reinterpret_cast<char*>(mac), length);
}

std::string Forge(std::string_view header_json, std::string_view payload_json, const EVP_MD* md = EVP_sha256(),
                  const std::string& key = kKey) {
    std::string token = Base64UrlEncode(header_json) + "." + Base64UrlEncode(payload_json);
    return token + "." + (md ? Base64UrlEncode(Hmac(md, token, key)) : "");
}

const std::string kPayload =
    R"({"sub":"user-1","role":"admin","jti":"j","fam":"f","gen":0,"iat":1799999990,"exp":1800000900})";

TEST(Jwt, RoundTrip) {
    JwtCodec codec(kKey);
    const auto claims = codec.Verify(codec.Sign(Claims()), kNow);
    ASSERT_TRUE(claims);
    EXPECT_EQ(claims->sub, "user-1");
    EXPECT_EQ(claims->role, "admin");
    EXPECT_EQ(claims->jti, "jti-1");
    EXPECT_EQ(claims->fam, "fam-1");
    EXPECT_EQ(claims->gen, 3);
    EXPECT_EQ(claims->exp, kNow + 900);
}

TEST(Jwt, AcceptsAHandForgedTokenWithTheRightKeyAndAlgorithm) {
    // Guards the forging helper itself, so the rejections below mean something.
    EXPECT_TRUE(JwtCodec(kKey).Verify(Forge(R"({"alg":"HS256","typ":"JWT"})", kPayload), kNow));
}

TEST(Jwt, RejectsOtherAlgorithmsAndNone) {
    JwtCodec codec(kKey);
    EXPECT_FALSE(codec.Verify(Forge(R"({"alg":"none","typ":"JWT"})", kPayload, nullptr), kNow));
    EXPECT_FALSE(codec.Verify(Forge(R"({"alg":"none"})", kPayload, EVP_sha256()), kNow));
    EXPECT_FALSE(codec.Verify(Forge(R"({"alg":"HS512","typ":"JWT"})", kPayload, EVP_sha512()), kNow));
    EXPECT_FALSE(codec.Verify(Forge(R"({"alg":"HS384","typ":"JWT"})", kPayload, EVP_sha384()), kNow));
    EXPECT_FALSE(codec.Verify(Forge(R"({"alg":"RS256","typ":"JWT"})", kPayload), kNow));
    EXPECT_FALSE(codec.Verify(Forge(R"({"alg":"hs256","typ":"JWT"})", kPayload), kNow));
    EXPECT_FALSE(codec.Verify(Forge(R"({"alg":"HS256","crit":["exp"]})", kPayload), kNow));
    EXPECT_FALSE(codec.Verify(Forge(R"({"alg":"HS256","typ":"JWE"})", kPayload), kNow));
}

TEST(Jwt, RejectsBadSignaturesAndOtherKeys) {
    JwtCodec codec(kKey);
    auto token = codec.Sign(Claims());
    EXPECT_FALSE(JwtCodec(std::string(32, 'x')).Verify(token, kNow));
    token.back() = token.back() == 'A' ? 'B' : 'A';
    EXPECT_FALSE(codec.Verify(token, kNow));
    EXPECT_FALSE(codec.Verify(Forge(R"({"alg":"HS256"})", kPayload, EVP_sha256(), "other-key"), kNow));
}

TEST(Jwt, ChecksTimes) {
    JwtCodec codec(kKey);
    const auto token = codec.Sign(Claims());
    EXPECT_TRUE(codec.Verify(token, kNow + 899));
    EXPECT_FALSE(codec.Verify(token, kNow + 900));  // exp is exclusive
    const std::string future_nbf =
        R"({"sub":"u","role":"admin","jti":"j","gen":0,"iat":1799999990,"exp":1800000900,"nbf":1800000500})";
    EXPECT_FALSE(codec.Verify(Forge(R"({"alg":"HS256"})", future_nbf), kNow));
    EXPECT_TRUE(codec.Verify(Forge(R"({"alg":"HS256"})", future_nbf), kNow + 600));
    const std::string no_exp = R"({"sub":"u","role":"admin","jti":"j","gen":0,"iat":1799999990})";
    EXPECT_FALSE(codec.Verify(Forge(R"({"alg":"HS256"})", no_exp), kNow));
    const std::string string_exp = R"({"sub":"u","role":"admin","jti":"j","gen":0,"iat":1,"exp":"1800000900"})";
    EXPECT_FALSE(codec.Verify(Forge(R"({"alg":"HS256"})", string_exp), kNow));
}

TEST(Jwt, MalformedInputNeverThrows) {
    JwtCodec codec(kKey);
    for (std::string_view bad : {"", ".", "..", "a.b", "a.b.c.d", "!!!.???.***", "eyJ.eyJ.sig", "a..b"}) {
        EXPECT_FALSE(codec.Verify(bad, kNow)) << bad;
    }
    EXPECT_FALSE(codec.Verify(std::string(10000, 'a'), kNow));
    EXPECT_FALSE(codec.Verify(Forge("not json", kPayload), kNow));
    EXPECT_FALSE(codec.Verify(Forge(R"({"alg":"HS256"})", "[1,2]"), kNow));
    EXPECT_FALSE(codec.Verify(Forge(R"({"alg":"HS256"})", std::string(50, '[')), kNow));
}

TEST(Base64Url, RoundTripsEveryLength) {
    std::string bytes;
    for (int i = 0; i < 40; ++i) {
        EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(bytes)), bytes);
        bytes.push_back(static_cast<char>(i * 37));
    }
    EXPECT_FALSE(Base64UrlDecode("ab+/"));
    EXPECT_FALSE(Base64UrlDecode("abcde"));
}

TEST(OpaqueToken, RandomPrefixedAndHashed) {
    const auto a = NewOpaqueToken("gha_");
    const auto b = NewOpaqueToken("gha_");
    EXPECT_EQ(a.token.substr(0, 4), "gha_");
    EXPECT_EQ(a.token.size(), 4u + 43u);  // 32 bytes of base64url
    EXPECT_NE(a.token, b.token);
    EXPECT_EQ(a.hash, HashToken(a.token));
    EXPECT_EQ(a.hash.size(), 64u);
    EXPECT_EQ(a.hash.find(a.token), std::string::npos);
}

}  // namespace
}  // namespace gatehouse::auth
