#include "auth/jwt.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cmath>

#include "core/json_text.hpp"

namespace gatehouse::auth {
namespace {

constexpr std::size_t kMaxTokenBytes = 4096;

std::optional<boost::json::object> ParseObject(std::string_view json) {
    boost::json::parse_options options;
    options.max_depth = 8;
    boost::system::error_code ec;
    auto value = boost::json::parse(json, ec, {}, options);
    if (ec || !value.is_object()) return std::nullopt;
    return std::move(value.as_object());
}

std::optional<std::int64_t> IntClaim(const boost::json::object& claims, std::string_view name) {
    const auto* value = claims.if_contains(name);
    if (!value) return std::nullopt;
    if (value->is_int64()) return value->as_int64();
    if (value->is_uint64() && value->as_uint64() < (1ULL << 62)) return static_cast<std::int64_t>(value->as_uint64());
    // Converting a double outside int64 is undefined behaviour: only the range the integer forms accept.
    if (value->is_double() && std::fabs(value->as_double()) < 0x1p62)
        return static_cast<std::int64_t>(value->as_double());
    return std::nullopt;
}

std::optional<std::string> StringClaim(const boost::json::object& claims, std::string_view name) {
    const auto* value = claims.if_contains(name);
    if (!value || !value->is_string()) return std::nullopt;
    return std::string(value->as_string());
}

}  // namespace

JwtCodec::JwtCodec(std::string key) : key_(std::move(key)) {}

std::string JwtCodec::Mac(std::string_view data) const {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()), reinterpret_cast<const unsigned char*>(data.data()),
         data.size(), mac, &length);
    return std::string(reinterpret_cast<const char*>(mac), length);
}

std::string JwtCodec::Derive(std::string_view purpose) const { return Mac(purpose); }

std::string JwtCodec::Sign(const AccessClaims& claims) const {
    static const std::string header = Base64UrlEncode(R"({"alg":"HS256","typ":"JWT"})");
    boost::json::object payload{{"sub", claims.sub}, {"role", claims.role}, {"jti", claims.jti}, {"fam", claims.fam},
                                {"gen", claims.gen}, {"iat", claims.iat},   {"exp", claims.exp}};
    if (!claims.type.empty()) payload["type"] = claims.type;
    std::string token = header + "." + Base64UrlEncode(core::JsonText(payload));
    const std::string signature = Base64UrlEncode(Mac(token));
    token += ".";
    token += signature;
    return token;
}

std::optional<AccessClaims> JwtCodec::Verify(std::string_view token, std::int64_t now) const {
    if (token.empty() || token.size() > kMaxTokenBytes) return std::nullopt;
    const auto first = token.find('.');
    const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
    if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) return std::nullopt;
    const auto header_part = token.substr(0, first);
    const auto payload_part = token.substr(first + 1, second - first - 1);
    const auto signature_part = token.substr(second + 1);

    const auto header_json = Base64UrlDecode(header_part);
    if (!header_json) return std::nullopt;
    const auto header = ParseObject(*header_json);
    // Only HS256: "none", HS512, RS256 and friends are refused before any key is used.
    if (!header || StringClaim(*header, "alg") != "HS256" || header->contains("crit")) return std::nullopt;
    if (const auto typ = StringClaim(*header, "typ"); header->contains("typ") && typ != "JWT") return std::nullopt;

    const auto signature = Base64UrlDecode(signature_part);
    const std::string expected = Mac(token.substr(0, second));
    if (!signature || signature->size() != expected.size() ||
        CRYPTO_memcmp(signature->data(), expected.data(), expected.size()) != 0)
        return std::nullopt;

    const auto payload_json = Base64UrlDecode(payload_part);
    if (!payload_json) return std::nullopt;
    const auto payload = ParseObject(*payload_json);
    if (!payload) return std::nullopt;
    AccessClaims claims;
    const auto exp = IntClaim(*payload, "exp");
    const auto iat = IntClaim(*payload, "iat");
    const auto gen = IntClaim(*payload, "gen");
    auto sub = StringClaim(*payload, "sub");
    auto role = StringClaim(*payload, "role");
    auto jti = StringClaim(*payload, "jti");
    if (!exp || !iat || !gen || !sub || !role || !jti) return std::nullopt;
    if (now >= *exp) return std::nullopt;
    if (payload->contains("nbf")) {
        const auto nbf = IntClaim(*payload, "nbf");
        if (!nbf || now < *nbf) return std::nullopt;
    }
    claims.sub = std::move(*sub);
    claims.role = std::move(*role);
    claims.jti = std::move(*jti);
    claims.fam = StringClaim(*payload, "fam").value_or("");
    claims.gen = *gen;
    claims.iat = *iat;
    claims.exp = *exp;
    claims.type = StringClaim(*payload, "type").value_or("");
    return claims;
}

}  // namespace gatehouse::auth
