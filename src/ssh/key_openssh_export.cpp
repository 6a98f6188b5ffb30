#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "core/errc.hpp"
#include "ssh/key_detail.hpp"

namespace gatehouse::ssh::detail {

using core::errc;

// ---- OpenSSH private key serialisation ------------------------------------------------------
//
// libssh 0.10 exports only Ed25519 in OpenSSH format (RSA and ECDSA come out as PKCS#8 PEM), and it
// never writes a comment. The contract is OpenSSH text for every type, so we serialise it
// ourselves (PROTOCOL.key): the Ed25519 fields are taken from libssh's OpenSSH export, the RSA and
// ECDSA private numbers from its PEM export via OpenSSL, the public fields from the public blob.

class WireWriter {
  public:
    ~WireWriter() { explicit_bzero(data_.data(), data_.capacity()); }
    void U32(std::uint32_t v) {
        for (int shift = 24; shift >= 0; shift -= 8) data_.push_back(static_cast<char>((v >> shift) & 0xff));
    }
    void String(std::string_view s) {
        U32(static_cast<std::uint32_t>(s.size()));
        data_.append(s);
    }
    void Raw(std::string_view s) { data_.append(s); }
    void Byte(unsigned char b) { data_.push_back(static_cast<char>(b)); }
    std::string& data() { return data_; }

  private:
    std::string data_;
};

// SSH mpint: big-endian, minimal, with a 0x00 prefix when the top bit is set (values are positive).
void WriteMpint(WireWriter& w, const BIGNUM* bn) {
    int len = BN_num_bytes(bn);
    SecretBuffer bytes;
    bytes.str().resize(static_cast<std::size_t>(len) + 1, '\0');
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(bytes.str().data()) + 1);
    std::string_view view(bytes.str());
    if (len == 0 || (static_cast<unsigned char>(view[1]) & 0x80) == 0) view.remove_prefix(1);
    if (len == 0) view = {};
    w.String(view);
}

struct BnDeleter {
    void operator()(BIGNUM* bn) const noexcept { BN_clear_free(bn); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnDeleter>;

struct EvpKeyDeleter {
    void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
};
struct BioDeleter {
    void operator()(BIO* bio) const noexcept { BIO_free(bio); }
};

[[noreturn]] void ExportFailed(const char* why) {
    throw core::Error(errc::internal, "could not encode the private key", why);
}

BnPtr GetBn(EVP_PKEY* pkey, const char* name) {
    BIGNUM* bn = nullptr;
    if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1 || bn == nullptr) ExportFailed("missing key parameter");
    return BnPtr(bn);
}

// Writes the type-specific private fields (everything between the key type and the comment).
void WritePrivateFields(ssh_key key, const TypeInfo& info, std::string_view public_blob, WireWriter& w) {
    char* raw = nullptr;
    if (ssh_pki_export_privkey_base64(key, nullptr, nullptr, nullptr, &raw) != SSH_OK || raw == nullptr)
        ExportFailed("libssh export failed");
    SecretCharPtr text(raw);

    if (info.libssh_type == SSH_KEYTYPE_ED25519) {
        std::string_view armoured(text.get());
        std::size_t begin = armoured.find(kOpenSshBegin), end = armoured.find(kOpenSshEnd);
        if (begin == std::string_view::npos || end == std::string_view::npos) ExportFailed("unexpected Ed25519 export");
        SecretBuffer blob;
        std::string_view body = armoured.substr(begin + kOpenSshBegin.size(), end - begin - kOpenSshBegin.size());
        if (!Base64Decode(body, blob.str(), true) || !blob.str().starts_with(kOpenSshMagic))
            ExportFailed("unexpected Ed25519 export");
        WireReader r(std::string_view(blob.str()).substr(kOpenSshMagic.size()));
        std::string_view skip, section, type, pk, sk;
        std::uint32_t n = 0, check1 = 0, check2 = 0;
        if (!r.String(skip) || !r.String(skip) || !r.String(skip) || !r.U32(n) || !r.String(skip) || !r.String(section))
            ExportFailed("unexpected Ed25519 export");
        WireReader s(section);
        if (!s.U32(check1) || !s.U32(check2) || !s.String(type) || type != "ssh-ed25519" || !s.String(pk) ||
            !s.String(sk) || pk.size() != 32 || sk.size() != 64)
            ExportFailed("unexpected Ed25519 export");
        w.String(pk);
        w.String(sk);
        return;
    }

    std::unique_ptr<BIO, BioDeleter> bio(BIO_new_mem_buf(text.get(), -1));
    if (!bio) ExportFailed("BIO_new_mem_buf failed");
    // An empty passphrase keeps OpenSSL from prompting; the PEM is not encrypted anyway.
    std::unique_ptr<EVP_PKEY, EvpKeyDeleter> pkey(
        PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, const_cast<char*>("")));
    if (!pkey) ExportFailed("OpenSSL could not read libssh's PEM export");

    WireReader pub(public_blob);
    std::string_view skip;
    pub.String(skip);  // type name, already checked
    if (info.libssh_type == SSH_KEYTYPE_RSA) {
        std::string_view e, n;
        if (!pub.String(e) || !pub.String(n)) ExportFailed("short RSA blob");
        w.String(n);
        w.String(e);
        WriteMpint(w, GetBn(pkey.get(), OSSL_PKEY_PARAM_RSA_D).get());
        WriteMpint(w, GetBn(pkey.get(), OSSL_PKEY_PARAM_RSA_COEFFICIENT1).get());  // iqmp
        WriteMpint(w, GetBn(pkey.get(), OSSL_PKEY_PARAM_RSA_FACTOR1).get());       // p
        WriteMpint(w, GetBn(pkey.get(), OSSL_PKEY_PARAM_RSA_FACTOR2).get());       // q
        return;
    }
    std::string_view curve, q;
    if (!pub.String(curve) || !pub.String(q)) ExportFailed("short ECDSA blob");
    w.String(curve);
    w.String(q);
    WriteMpint(w, GetBn(pkey.get(), OSSL_PKEY_PARAM_PRIV_KEY).get());
}

std::string ExportPrivate(ssh_key key, std::string_view comment, std::string_view source_fields) {
    const TypeInfo* info = FindByLibsshType(ssh_key_type(key));
    if (info == nullptr) ExportFailed("unsupported type");
    char* raw_b64 = nullptr;
    if (ssh_pki_export_pubkey_base64(key, &raw_b64) != SSH_OK || raw_b64 == nullptr) ExportFailed("public export");
    CharPtr pub_b64(raw_b64);
    std::string public_blob;
    if (!Base64Decode(pub_b64.get(), public_blob, false)) ExportFailed("public export");

    std::uint32_t check = 0;
    if (RAND_bytes(reinterpret_cast<unsigned char*>(&check), sizeof check) != 1) ExportFailed("RAND_bytes failed");
    WireWriter section;
    section.U32(check);
    section.U32(check);
    section.String(info->wire_name);
    if (source_fields.empty()) {
        WritePrivateFields(key, *info, public_blob, section);
    } else {
        section.Raw(source_fields);
    }
    section.String(comment);
    // Cipher "none" has block size 8; padding bytes are 1, 2, 3, ...
    for (unsigned char pad = 1; section.data().size() % 8 != 0; ++pad) section.Byte(pad);

    WireWriter file;
    file.Raw(kOpenSshMagic);
    file.String("none");
    file.String("none");
    file.String("");
    file.U32(1);
    file.String(public_blob);
    file.String(section.data());

    SecretBuffer encoded;
    encoded.str() = Base64Encode(file.data());
    std::string out;
    out.reserve(encoded.str().size() + encoded.str().size() / 70 + 80);
    out.append(kOpenSshBegin).push_back('\n');
    for (std::size_t i = 0; i < encoded.str().size(); i += 70) {
        out.append(std::string_view(encoded.str()).substr(i, 70)).push_back('\n');
    }
    out.append(kOpenSshEnd).push_back('\n');
    return out;
}

}  // namespace gatehouse::ssh::detail
