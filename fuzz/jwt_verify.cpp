// auth::JwtCodec::Verify on fuzzed tokens (never throws; a token it accepts is one the key signed, and signing its
// claims again gives a token that verifies to the same claims); on fuzzed header and payload JSON signed here with
// the codec's key, so the claim parsing behind the signature check is reached too; auth::Base64UrlDecode (decode
// then encode gives back the text); and Sign then Verify on fuzzed claims returns exactly those claims.

#include <fuzzer/FuzzedDataProvider.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth/jwt.hpp"
#include "fuzz_check.hpp"

namespace {

using gatehouse::auth::AccessClaims;

constexpr std::int64_t kNow = 1'700'000'000;
constexpr std::string_view kKey = "fuzzing key, 32 bytes long.....";

/// A claim string as the server makes them: 7-bit (JSON needs Unicode; ids and roles are ASCII).
std::string Ascii(FuzzedDataProvider& input, std::size_t max) {
    auto text = input.ConsumeRandomLengthString(max);
    for (auto& c : text) c = static_cast<char>(c & 0x7f);
    return text;
}

/// "<base64url(header)>.<base64url(payload)>.<HS256 over both with kKey>".
std::string SignedHere(std::string_view header, std::string_view payload) {
    using gatehouse::auth::Base64UrlEncode;
    std::string token = Base64UrlEncode(header) + "." + Base64UrlEncode(payload);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), kKey.data(), static_cast<int>(kKey.size()), reinterpret_cast<const unsigned char*>(token.data()),
         token.size(), mac, &length);
    return token + "." + Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(mac), length));
}

bool Same(const AccessClaims& a, const AccessClaims& b) {
    return a.sub == b.sub && a.role == b.role && a.jti == b.jti && a.fam == b.fam && a.gen == b.gen && a.iat == b.iat &&
           a.exp == b.exp;
}

void CheckBase64(std::string_view text) {
    using namespace gatehouse::auth;
    const auto decoded = Base64UrlDecode(text);
    if (!decoded) return;
    // Unpadded base64url has one text per byte string, except for the spare low bits of a last partial group.
    const auto again = Base64UrlEncode(*decoded);
    FUZZ_CHECK(again.size() == text.size());
    FUZZ_CHECK(Base64UrlDecode(again) == decoded);
}

void CheckRoundTrip(FuzzedDataProvider& input, const gatehouse::auth::JwtCodec& codec) {
    AccessClaims claims;
    claims.sub = Ascii(input, 64);
    claims.role = Ascii(input, 16);
    claims.jti = Ascii(input, 64);
    claims.fam = Ascii(input, 64);
    claims.gen = input.ConsumeIntegral<std::int64_t>();
    claims.iat = input.ConsumeIntegral<std::int64_t>();
    claims.exp = kNow + input.ConsumeIntegralInRange<std::int64_t>(1, 1'000'000'000);
    const auto verified = codec.Verify(codec.Sign(claims), kNow);
    FUZZ_CHECK(verified && Same(*verified, claims));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace gatehouse;
    static const auth::JwtCodec codec{std::string(kKey)};
    const auto text = fuzz::AsText(data, size);
    CheckBase64(text);
    auto payload = text;  // "<header JSON>\n<payload JSON>", signed here
    const auto header = fuzz::TakeUntil(payload, '\n');
    for (const auto& token : {std::string(text), SignedHere(header, payload)}) {
        const auto claims = codec.Verify(token, kNow);
        if (!claims) continue;
        FUZZ_CHECK(kNow < claims->exp);
        const auto again = codec.Verify(codec.Sign(*claims), kNow);
        FUZZ_CHECK(again && Same(*again, *claims));
        // The same token under another key is a forgery.
        FUZZ_CHECK(!auth::JwtCodec("another key").Verify(token, kNow));
    }
    FuzzedDataProvider input(data, size);
    CheckRoundTrip(input, codec);
    return 0;
}
