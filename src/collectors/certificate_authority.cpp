#include "collectors/certificate_authority.hpp"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <stdexcept>

#include "core/errc.hpp"
#include "core/ids.hpp"

namespace gatehouse::collectors {
namespace {

struct KeyFree {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertFree {
    void operator()(X509* cert) const { X509_free(cert); }
};
struct RequestFree {
    void operator()(X509_REQ* request) const { X509_REQ_free(request); }
};
struct BioFree {
    void operator()(BIO* bio) const { BIO_free(bio); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;
using CertPtr = std::unique_ptr<X509, CertFree>;
using RequestPtr = std::unique_ptr<X509_REQ, RequestFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

BioPtr MemoryBio(std::string_view text) { return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size()))); }

std::string Drain(BIO* bio) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(size));
}

std::string CertPem(X509* cert) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509(bio.get(), cert);
    return Drain(bio.get());
}

std::string KeyPem(EVP_PKEY* key) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
    return Drain(bio.get());
}

KeyPtr NewKey() {
    KeyPtr key(EVP_EC_gen("P-256"));
    if (!key) throw std::runtime_error("cannot generate an EC P-256 key");
    return key;
}

std::string Sha256Of(X509* cert) {
    unsigned char* der = nullptr;
    const int length = i2d_X509(cert, &der);
    if (length <= 0) return {};
    std::string hex = core::Sha256Hex(std::string_view(reinterpret_cast<char*>(der), static_cast<std::size_t>(length)));
    OPENSSL_free(der);
    return hex;
}

std::int64_t NotAfter(X509* cert) {
    std::tm tm{};
    if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) != 1) return 0;
    return static_cast<std::int64_t>(timegm(&tm));
}

void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (!extension) throw std::runtime_error(std::string("cannot build certificate extension ") + value);
    X509_add_ext(cert, extension, -1);
    X509_EXTENSION_free(extension);
}

// A certificate skeleton: random positive 128-bit serial, validity from 5 minutes ago (clock skew) for `days`.
CertPtr NewCertificate(EVP_PKEY* subject_key, std::string_view common_name, int days) {
    CertPtr cert(X509_new());
    X509_set_version(cert.get(), 2);
    unsigned char serial_bytes[16];
    RAND_bytes(serial_bytes, sizeof serial_bytes);
    serial_bytes[0] &= 0x7f;
    BIGNUM* serial = BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr);
    BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert.get()));
    BN_free(serial);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -300);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 86400L);
    X509_set_pubkey(cert.get(), subject_key);
    const std::string cn(common_name);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    return cert;
}

// The public key of a CSR whose self-signature holds and whose key is strong enough.
KeyPtr CsrKey(std::string_view csr_pem) {
    const auto fail = [](std::string why) { return core::Error(core::errc::invalid_argument, "field 'csr' " + why); };
    if (csr_pem.size() > 16384) throw fail("is too long");
    auto bio = MemoryBio(csr_pem);
    RequestPtr request(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
    if (!request) throw fail("is not a PEM certificate signing request");
    EVP_PKEY* key = X509_REQ_get0_pubkey(request.get());
    if (!key) throw fail("has no public key");
    if (X509_REQ_verify(request.get(), key) != 1) throw fail("has a signature that does not match its key");
    const int type = EVP_PKEY_get_base_id(key);
    const bool strong =
        type == EVP_PKEY_EC || type == EVP_PKEY_ED25519 || (type == EVP_PKEY_RSA && EVP_PKEY_get_bits(key) >= 2048);
    if (!strong) throw fail("must hold an EC, Ed25519 or RSA (2048 bits or more) key");
    EVP_PKEY_up_ref(key);
    return KeyPtr(key);
}

}  // namespace

struct CertificateAuthority::State {
    CertPtr cert;
    KeyPtr key;
};

CertificateAuthority::CertificateAuthority(std::unique_ptr<State> state) : state_(std::move(state)) {
    certificate_pem_ = CertPem(state_->cert.get());
    sha256_ = Sha256Of(state_->cert.get());
    not_after_ = NotAfter(state_->cert.get());
}
CertificateAuthority::CertificateAuthority(CertificateAuthority&&) noexcept = default;
CertificateAuthority& CertificateAuthority::operator=(CertificateAuthority&&) noexcept = default;
CertificateAuthority::~CertificateAuthority() = default;

CertificateAuthority CertificateAuthority::Generate(std::string_view common_name, int days) {
    auto state = std::make_unique<State>();
    state->key = NewKey();
    state->cert = NewCertificate(state->key.get(), common_name, days);
    X509* cert = state->cert.get();
    X509_set_issuer_name(cert, X509_get_subject_name(cert));
    AddExtension(cert, cert, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
    AddExtension(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign");
    AddExtension(cert, cert, NID_subject_key_identifier, "hash");
    if (X509_sign(cert, state->key.get(), EVP_sha256()) == 0)
        throw std::runtime_error("cannot sign the CA certificate");
    return CertificateAuthority(std::move(state));
}

CertificateAuthority CertificateAuthority::Load(std::string_view certificate_pem, std::string_view private_key_pem) {
    auto state = std::make_unique<State>();
    auto cert_bio = MemoryBio(certificate_pem);
    state->cert.reset(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
    auto key_bio = MemoryBio(private_key_pem);
    state->key.reset(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
    if (!state->cert || !state->key) throw std::runtime_error("the collectors' CA cannot be read");
    if (X509_check_private_key(state->cert.get(), state->key.get()) != 1)
        throw std::runtime_error("the collectors' CA key does not match its certificate");
    return CertificateAuthority(std::move(state));
}

std::string CertificateAuthority::private_key_pem() const { return KeyPem(state_->key.get()); }

IssuedCertificate CertificateAuthority::IssueClient(std::string_view common_name,
                                                    const std::optional<std::string>& csr_pem, int days) const {
    IssuedCertificate issued;
    KeyPtr key;
    if (csr_pem) {
        key = CsrKey(*csr_pem);
    } else {
        key = NewKey();
        issued.private_key_pem = KeyPem(key.get());
    }
    auto cert = NewCertificate(key.get(), common_name, days);
    X509* issuer = state_->cert.get();
    X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer));
    AddExtension(cert.get(), issuer, NID_basic_constraints, "critical,CA:FALSE");
    AddExtension(cert.get(), issuer, NID_key_usage, "critical,digitalSignature");
    AddExtension(cert.get(), issuer, NID_ext_key_usage, "clientAuth");
    AddExtension(cert.get(), issuer, NID_authority_key_identifier, "keyid");
    if (X509_sign(cert.get(), state_->key.get(), EVP_sha256()) == 0)
        throw std::runtime_error("cannot sign a client certificate");
    issued.certificate_pem = CertPem(cert.get());
    issued.sha256 = Sha256Of(cert.get());
    issued.not_after = NotAfter(cert.get());
    return issued;
}

IssuedCertificate CertificateAuthority::IssueServer(const std::vector<std::string>& dns_names,
                                                    const std::vector<std::string>& ips, int days) const {
    IssuedCertificate issued;
    auto key = NewKey();
    issued.private_key_pem = KeyPem(key.get());
    auto cert = NewCertificate(key.get(), dns_names.empty() ? "gatehouse" : dns_names.front(), days);
    X509* issuer = state_->cert.get();
    X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer));
    std::string names;
    for (const auto& dns : dns_names) names += (names.empty() ? "DNS:" : ",DNS:") + dns;
    for (const auto& ip : ips) names += (names.empty() ? "IP:" : ",IP:") + ip;
    AddExtension(cert.get(), issuer, NID_basic_constraints, "critical,CA:FALSE");
    AddExtension(cert.get(), issuer, NID_key_usage, "critical,digitalSignature");
    AddExtension(cert.get(), issuer, NID_ext_key_usage, "serverAuth");
    AddExtension(cert.get(), issuer, NID_authority_key_identifier, "keyid");
    if (!names.empty()) AddExtension(cert.get(), issuer, NID_subject_alt_name, names.c_str());
    if (X509_sign(cert.get(), state_->key.get(), EVP_sha256()) == 0)
        throw std::runtime_error("cannot sign the listener's certificate");
    issued.certificate_pem = CertPem(cert.get());
    issued.sha256 = Sha256Of(cert.get());
    issued.not_after = NotAfter(cert.get());
    return issued;
}

std::string CertificateSha256(x509_st* certificate) { return Sha256Of(certificate); }

std::string NewPrivateKeyPem() { return KeyPem(NewKey().get()); }

std::string CertificateSha256(std::string_view certificate_pem) {
    auto bio = MemoryBio(certificate_pem);
    CertPtr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    return cert ? Sha256Of(cert.get()) : std::string();
}

}  // namespace gatehouse::collectors
