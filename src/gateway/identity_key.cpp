#include "gateway/identity_key.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <boost/json/serialize.hpp>
#include <stdexcept>

#include "core/base64.hpp"
#include "core/ids.hpp"

namespace gatehouse::gateway {
namespace {

const vault::Owner kOwner{"gateway", "identity", "es256_private_key"};

std::string Generate() {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    if (!key) throw std::runtime_error("cannot generate the gateway's identity key");
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    std::string pem(data, static_cast<std::size_t>(size));
    BIO_free(bio);
    EVP_PKEY_free(key);
    return pem;
}

std::string Coordinate(EVP_PKEY* key, const char* name) {
    BIGNUM* value = nullptr;
    if (!EVP_PKEY_get_bn_param(key, name, &value)) throw std::runtime_error("cannot read the identity key");
    unsigned char bytes[32];
    BN_bn2binpad(value, bytes, sizeof bytes);
    BN_free(value);
    return core::Base64UrlEncode(std::string_view(reinterpret_cast<char*>(bytes), sizeof bytes));
}

}  // namespace

struct IdentityKey::Key {
    EVP_PKEY* pkey = nullptr;
    ~Key() { EVP_PKEY_free(pkey); }
};

IdentityKey::IdentityKey(std::unique_ptr<Key> key) : key_(std::move(key)) {
    const auto x = Coordinate(key_->pkey, OSSL_PKEY_PARAM_EC_PUB_X);
    const auto y = Coordinate(key_->pkey, OSSL_PKEY_PARAM_EC_PUB_Y);
    kid_ = core::Sha256Hex(x + "." + y).substr(0, 16);
    jwk_ = {{"kty", "EC"}, {"crv", "P-256"}, {"x", x}, {"y", y}, {"kid", kid_}, {"use", "sig"}, {"alg", "ES256"}};
}

IdentityKey::~IdentityKey() = default;

std::unique_ptr<IdentityKey> IdentityKey::LoadOrCreate(store::Database& database, const vault::Vault& vault) {
    // Instances starting together may both create one; each reads back whichever was stored last, after its own
    // write committed, so they all end up with the same key.
    database.WithTransaction([&](store::Connection& c) {
        if (!vault.Reveal(c, kOwner)) vault.Seal(c, kOwner, Generate());
    });
    std::optional<std::string> pem;
    database.WithRead([&](store::Connection& c) { pem = vault.Reveal(c, kOwner); });
    if (!pem) throw std::runtime_error("the gateway's identity key is missing");
    BIO* bio = BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size()));
    auto key = std::make_unique<Key>();
    key->pkey = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (!key->pkey) throw std::runtime_error("the gateway's identity key cannot be read");
    return std::unique_ptr<IdentityKey>(new IdentityKey(std::move(key)));
}

std::string IdentityKey::Sign(const boost::json::object& claims) const {
    const boost::json::object header{{"alg", "ES256"}, {"typ", "JWT"}, {"kid", kid_}};
    const std::string input = core::Base64UrlEncode(boost::json::serialize(header)) + "." +
                              core::Base64UrlEncode(boost::json::serialize(claims));
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    std::size_t der_size = 0;
    std::string der(80, '\0');
    bool ok = ctx && EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key_->pkey) == 1;
    der_size = der.size();
    ok = ok && EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(der.data()), &der_size,
                              reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok) throw std::runtime_error("cannot sign the identity assertion");
    // JWS wants r || s, 32 bytes each, not DER.
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_size));
    if (!sig) throw std::runtime_error("cannot read the identity signature");
    unsigned char raw[64];
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw, 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw + 32, 32);
    ECDSA_SIG_free(sig);
    return input + "." + core::Base64UrlEncode(std::string_view(reinterpret_cast<char*>(raw), sizeof raw));
}

boost::json::object IdentityKey::Jwks() const { return {{"keys", boost::json::array{jwk_}}}; }

}  // namespace gatehouse::gateway
