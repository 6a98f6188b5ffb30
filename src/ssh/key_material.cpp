#include "ssh/key_material.hpp"

#include <libssh/libssh.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <string.h>  // explicit_bzero

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <type_traits>
#include <vector>

#include "core/errc.hpp"

namespace gatehouse::ssh {

namespace {

using core::errc;

constexpr std::size_t kMaxPrivateKeyBytes = 64 * 1024;
constexpr std::size_t kMaxPublicLineBytes = 16 * 1024;
// authorized_keys lines are read by humans and by sshd; a comment is a label, not a payload.
constexpr std::size_t kMaxCommentBytes = 1024;

constexpr std::string_view kOpenSshBegin = "-----BEGIN OPENSSH PRIVATE KEY-----";
constexpr std::string_view kOpenSshEnd = "-----END OPENSSH PRIVATE KEY-----";
constexpr std::string_view kOpenSshMagic{"openssh-key-v1\0", 15};

[[noreturn]] void Invalid(std::string message) { throw core::Error(errc::invalid_argument, std::move(message)); }

// libssh keeps global crypto state that must be initialised exactly once before concurrent use.
void EnsureInit() {
    static std::once_flag once;
    std::call_once(once, [] { ssh_init(); });
}

struct KeyDeleter {
    void operator()(ssh_key key) const noexcept { ssh_key_free(key); }
};
using KeyPtr = std::unique_ptr<std::remove_pointer_t<ssh_key>, KeyDeleter>;

struct CharDeleter {
    void operator()(char* text) const noexcept { ssh_string_free_char(text); }
};
using CharPtr = std::unique_ptr<char, CharDeleter>;

// Strings allocated by libssh that hold private material are wiped before they go back to the heap.
struct SecretCharDeleter {
    void operator()(char* text) const noexcept {
        explicit_bzero(text, strlen(text));
        ssh_string_free_char(text);
    }
};
using SecretCharPtr = std::unique_ptr<char, SecretCharDeleter>;

// Our own copies of private input (NUL-terminated for libssh, decoded blobs) are wiped on every
// exit path, including exceptions.
class SecretBuffer {
  public:
    SecretBuffer() = default;
    explicit SecretBuffer(std::string_view text) : data_(text.begin(), text.end()) {}
    SecretBuffer(const SecretBuffer&) = delete;
    SecretBuffer& operator=(const SecretBuffer&) = delete;
    ~SecretBuffer() { Wipe(); }

    std::string& str() { return data_; }
    const char* c_str() const { return data_.c_str(); }

  private:
    void Wipe() noexcept {
        if (data_.capacity() > 0) explicit_bzero(data_.data(), data_.capacity());
    }
    std::string data_;
};

// ---- base64 and SSH wire format -------------------------------------------------------------

int Base64Value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

// Strict standard base64 with padding; whitespace is skipped only when `skip_whitespace` (PEM bodies).
bool Base64Decode(std::string_view in, std::string& out, bool skip_whitespace) {
    out.clear();
    std::uint32_t acc = 0;
    int nbits = 0;
    std::size_t symbols = 0;
    std::size_t padding = 0;
    for (char c : in) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            if (skip_whitespace) continue;
            return false;
        }
        if (c == '=') {
            ++padding;
            ++symbols;
            continue;
        }
        if (padding > 0) return false;  // data after padding
        int v = Base64Value(c);
        if (v < 0) return false;
        ++symbols;
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        nbits += 6;
        if (nbits >= 8) {
            nbits -= 8;
            out.push_back(static_cast<char>((acc >> nbits) & 0xff));
        }
    }
    if (symbols == 0 || symbols % 4 != 0 || padding > 2) return false;
    return true;
}

class WireReader {
  public:
    explicit WireReader(std::string_view data) : data_(data) {}

    bool U32(std::uint32_t& value) {
        if (data_.size() < 4) return false;
        value = 0;
        for (int i = 0; i < 4; ++i) value = (value << 8) | static_cast<unsigned char>(data_[i]);
        data_.remove_prefix(4);
        return true;
    }
    bool String(std::string_view& value) {
        std::uint32_t len = 0;
        if (!U32(len) || data_.size() < len) return false;
        value = data_.substr(0, len);
        data_.remove_prefix(len);
        return true;
    }
    std::string_view Rest() const { return data_; }
    bool Empty() const { return data_.empty(); }

  private:
    std::string_view data_;
};

int BitLength(std::string_view mpint) {
    std::size_t i = 0;
    while (i < mpint.size() && mpint[i] == 0) ++i;
    if (i == mpint.size()) return 0;
    auto top = static_cast<unsigned char>(mpint[i]);
    int bits = static_cast<int>((mpint.size() - i - 1) * 8);
    while (top != 0) {
        ++bits;
        top >>= 1;
    }
    return bits;
}

// ---- key classification -----------------------------------------------------------------------

struct TypeInfo {
    std::string_view wire_name;  // as in authorized_keys
    std::string_view family;     // KeyMaterial::type
    ssh_keytypes_e libssh_type;
    int fixed_bits;  // 0: read from the key (RSA)
};

constexpr std::array<TypeInfo, 5> kSupportedTypes{{
    {"ssh-ed25519", "ed25519", SSH_KEYTYPE_ED25519, 256},
    {"ssh-rsa", "rsa", SSH_KEYTYPE_RSA, 0},
    {"ecdsa-sha2-nistp256", "ecdsa", SSH_KEYTYPE_ECDSA_P256, 256},
    {"ecdsa-sha2-nistp384", "ecdsa", SSH_KEYTYPE_ECDSA_P384, 384},
    {"ecdsa-sha2-nistp521", "ecdsa", SSH_KEYTYPE_ECDSA_P521, 521},
}};

const TypeInfo* FindByWireName(std::string_view name) {
    for (const auto& info : kSupportedTypes)
        if (info.wire_name == name) return &info;
    return nullptr;
}

const TypeInfo* FindByLibsshType(ssh_keytypes_e type) {
    for (const auto& info : kSupportedTypes)
        if (info.libssh_type == type) return &info;
    return nullptr;
}

std::string_view WireName(ssh_key key) {
    const TypeInfo* info = FindByLibsshType(ssh_key_type(key));
    return info == nullptr ? std::string_view{} : info->wire_name;
}

bool IsValidComment(std::string_view comment) {
    if (comment.size() > kMaxCommentBytes) return false;
    for (char c : comment) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) return false;
    }
    return true;
}

void RequireValidComment(std::string_view comment) {
    if (!IsValidComment(comment))
        Invalid("the comment must be a single line of at most 1024 bytes without control characters");
}

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// Builds everything shown about a key from its public half; the private text is filled by callers.
KeyMaterial Describe(ssh_key key, std::string_view comment) {
    const TypeInfo* info = FindByLibsshType(ssh_key_type(key));
    if (info == nullptr) Invalid("unsupported key type: only Ed25519, RSA and ECDSA keys are accepted");

    char* raw_b64 = nullptr;
    if (ssh_pki_export_pubkey_base64(key, &raw_b64) != SSH_OK || raw_b64 == nullptr)
        throw core::Error(errc::internal, "could not encode the public key");
    CharPtr b64(raw_b64);

    std::string blob;
    if (!Base64Decode(b64.get(), blob, false))
        throw core::Error(errc::internal, "could not encode the public key", "libssh produced invalid base64");
    WireReader reader(blob);
    std::string_view wire_type;
    if (!reader.String(wire_type) || wire_type != info->wire_name)
        throw core::Error(errc::internal, "could not encode the public key", "public blob type mismatch");

    int bits = info->fixed_bits;
    if (bits == 0) {
        std::string_view e, n;
        if (!reader.String(e) || !reader.String(n))
            throw core::Error(errc::internal, "could not encode the public key", "short RSA blob");
        bits = BitLength(n);
    }

    unsigned char* hash = nullptr;
    size_t hash_len = 0;
    if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hash_len) != 0 || hash == nullptr)
        throw core::Error(errc::internal, "could not fingerprint the key");
    CharPtr fingerprint(ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hash_len));
    ssh_clean_pubkey_hash(&hash);
    if (!fingerprint) throw core::Error(errc::internal, "could not fingerprint the key");

    KeyMaterial km;
    km.type = std::string(info->family);
    km.bits = bits;
    km.fingerprint = fingerprint.get();
    km.comment = std::string(comment);
    km.public_key = std::string(info->wire_name) + " " + b64.get();
    if (!comment.empty()) km.public_key += " " + km.comment;
    return km;
}

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

std::string Base64Encode(std::string_view in) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    for (std::size_t i = 0; i < in.size(); i += 3) {
        std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(in[i])) << 16;
        if (i + 1 < in.size()) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8;
        if (i + 2 < in.size()) v |= static_cast<unsigned char>(in[i + 2]);
        out.push_back(kAlphabet[(v >> 18) & 63]);
        out.push_back(kAlphabet[(v >> 12) & 63]);
        out.push_back(i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=');
        out.push_back(i + 2 < in.size() ? kAlphabet[v & 63] : '=');
    }
    return out;
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

std::string ExportPrivate(ssh_key key, std::string_view comment, std::string_view source_fields = {}) {
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

// ---- private key inspection (before handing it to libssh) ------------------------------------

enum class PrivateFormat { openssh, pem_rsa, pem_ec, pem_pkcs8, pem_pkcs8_encrypted };

struct PemInfo {
    PrivateFormat format;
    std::string_view body;  // between the BEGIN and END lines, headers included
};

constexpr std::string_view kNotAKey = "not a valid private key";

// Finds the armour, refusing anything we would not hand to libssh. Messages name what is wrong in
// general terms only; the input is never quoted.
PemInfo Classify(std::string_view text) {
    struct Armour {
        std::string_view label;
        PrivateFormat format;
    };
    static constexpr std::array<Armour, 5> kArmours{{
        {"OPENSSH PRIVATE KEY", PrivateFormat::openssh},
        {"RSA PRIVATE KEY", PrivateFormat::pem_rsa},
        {"EC PRIVATE KEY", PrivateFormat::pem_ec},
        {"ENCRYPTED PRIVATE KEY", PrivateFormat::pem_pkcs8_encrypted},
        {"PRIVATE KEY", PrivateFormat::pem_pkcs8},
    }};

    std::string_view trimmed = text;
    while (!trimmed.empty() && std::string_view(" \t\r\n").find(trimmed.front()) != std::string_view::npos)
        trimmed.remove_prefix(1);
    for (const auto& info : kSupportedTypes)
        if (trimmed.starts_with(std::string(info.wire_name) + " "))
            Invalid("this is a public key line, not a private key (import it as public_key)");
    if (trimmed.starts_with("---- BEGIN SSH2 PUBLIC KEY") || trimmed.starts_with("-----BEGIN PUBLIC KEY"))
        Invalid("this is a public key, not a private key");
    if (trimmed.starts_with("-----BEGIN DSA PRIVATE KEY"))
        Invalid("unsupported key type: only Ed25519, RSA and ECDSA keys are accepted");

    std::size_t begin = text.find("-----BEGIN ");
    if (begin == std::string_view::npos) Invalid(std::string(kNotAKey) + ": no BEGIN line found");
    std::string_view after = text.substr(begin + 11);
    for (const auto& armour : kArmours) {
        std::string head = std::string(armour.label) + "-----";
        if (!after.starts_with(head)) continue;
        std::string end_line = "-----END " + head;
        std::string_view body = after.substr(head.size());
        std::size_t end = body.find(end_line);
        if (end == std::string_view::npos) Invalid(std::string(kNotAKey) + ": it is truncated (no END line)");
        return PemInfo{armour.format, body.substr(0, end)};
    }
    Invalid(std::string(kNotAKey) + ": unknown PEM block type");
}

struct Inspection {
    bool encrypted = false;
    // True when the container is intact, so a failed decryption can only be the passphrase.
    bool structurally_sound = false;
    // Only readable from unencrypted OpenSSH keys:
    std::string comment;
    std::string key_type;
    std::string private_fields;  // wire encoding of the type-specific private fields

    Inspection() = default;
    Inspection(Inspection&&) = default;
    ~Inspection() { explicit_bzero(private_fields.data(), private_fields.capacity()); }
};

// Unencrypted OpenSSH keys carry their comment inside the private section; libssh 0.10 does not
// expose it, so we read it ourselves. We also keep the raw private fields: libssh 0.10 cannot
// re-export an RSA key it read from OpenSSH format (it builds the key without the CRT exponents and
// OpenSSL's encoder then refuses it), so for those we re-serialise the input's own fields.
void ReadOpenSshPrivate(std::string_view private_section, Inspection& out) {
    WireReader r(private_section);
    std::uint32_t check1 = 0, check2 = 0;
    std::string_view type;
    if (!r.U32(check1) || !r.U32(check2) || !r.String(type)) return;
    int fields = 0;
    if (type == "ssh-ed25519") {
        fields = 2;  // public, private
    } else if (type == "ssh-rsa") {
        fields = 6;  // n, e, d, iqmp, p, q
    } else if (type.starts_with("ecdsa-sha2-")) {
        fields = 3;  // curve, Q, d
    } else {
        return;
    }
    std::string_view fields_start = r.Rest();
    std::string_view skip;
    for (int i = 0; i < fields; ++i)
        if (!r.String(skip)) return;
    std::string_view private_fields = fields_start.substr(0, fields_start.size() - r.Rest().size());
    std::string_view comment;
    if (!r.String(comment)) return;
    out.key_type = std::string(type);
    out.private_fields = std::string(private_fields);
    if (IsValidComment(comment)) out.comment = std::string(comment);
}

Inspection Inspect(const PemInfo& pem) {
    Inspection out;
    if (pem.format == PrivateFormat::openssh) {
        SecretBuffer blob;
        if (!Base64Decode(pem.body, blob.str(), true)) Invalid(std::string(kNotAKey) + ": the base64 body is damaged");
        if (!blob.str().starts_with(kOpenSshMagic)) Invalid(std::string(kNotAKey) + ": not an OpenSSH key container");
        WireReader r(std::string_view(blob.str()).substr(kOpenSshMagic.size()));
        std::string_view cipher, kdf, kdf_options, public_blob, private_section;
        std::uint32_t nkeys = 0;
        if (!r.String(cipher) || !r.String(kdf) || !r.String(kdf_options) || !r.U32(nkeys) || nkeys != 1 ||
            !r.String(public_blob) || !r.String(private_section))
            Invalid(std::string(kNotAKey) + ": it is truncated or damaged");
        out.encrypted = cipher != "none";
        // Every OpenSSH cipher has a block size of 8 or 16; the section is padded to it.
        out.structurally_sound = r.Empty() && !private_section.empty() && private_section.size() % 8 == 0;
        if (!out.structurally_sound) Invalid(std::string(kNotAKey) + ": it is truncated or damaged");
        if (!out.encrypted) {
            // Unencrypted, the check integers are plain text: a mismatch means the section is corrupt.
            WireReader checks(private_section);
            std::uint32_t check1 = 0, check2 = 1;
            if (!checks.U32(check1) || !checks.U32(check2) || check1 != check2)
                Invalid(std::string(kNotAKey) + ": it is truncated or damaged");
            ReadOpenSshPrivate(private_section, out);
        }
        return out;
    }

    std::string_view body = pem.body;
    if (pem.format == PrivateFormat::pem_pkcs8_encrypted) out.encrypted = true;
    // Traditional OpenSSL encryption is announced by RFC 1421 headers before a blank line.
    if (body.find("Proc-Type:") != std::string_view::npos) {
        if (body.find("4,ENCRYPTED") != std::string_view::npos) out.encrypted = true;
        std::size_t blank = body.find("\n\n");
        if (blank == std::string_view::npos) blank = body.find("\r\n\r\n");
        if (blank == std::string_view::npos) Invalid(std::string(kNotAKey) + ": malformed PEM headers");
        body = body.substr(blank);
    }
    SecretBuffer der;
    if (!Base64Decode(body, der.str(), true)) Invalid(std::string(kNotAKey) + ": the base64 body is damaged");
    const std::string& d = der.str();
    if (out.encrypted && pem.format != PrivateFormat::pem_pkcs8_encrypted) {
        // Encrypted traditional PEM: ciphertext of a CBC block cipher, nothing more to check.
        out.structurally_sound = !d.empty() && d.size() % 8 == 0;
        if (!out.structurally_sound) Invalid(std::string(kNotAKey) + ": it is truncated or damaged");
        return out;
    }
    // Otherwise the body is one DER SEQUENCE whose declared length must cover exactly the data.
    bool ok = d.size() >= 2 && static_cast<unsigned char>(d[0]) == 0x30;
    if (ok) {
        auto first = static_cast<unsigned char>(d[1]);
        std::size_t header = 2, length = 0;
        if (first < 0x80) {
            length = first;
        } else {
            std::size_t n = first & 0x7f;
            ok = n >= 1 && n <= 4 && d.size() >= 2 + n;
            for (std::size_t i = 0; ok && i < n; ++i) length = (length << 8) | static_cast<unsigned char>(d[2 + i]);
            header += n;
        }
        ok = ok && header + length == d.size();
    }
    if (!ok) Invalid(std::string(kNotAKey) + ": it is truncated or damaged");
    out.structurally_sound = true;
    return out;
}

}  // namespace

KeyMaterial GenerateKey(std::string_view type, int bits, std::string_view comment) {
    EnsureInit();
    RequireValidComment(comment);
    ssh_keytypes_e libssh_type = SSH_KEYTYPE_UNKNOWN;
    int parameter = 0;
    if (type == "ed25519") {
        libssh_type = SSH_KEYTYPE_ED25519;
    } else if (type == "rsa") {
        if (bits != 2048 && bits != 3072 && bits != 4096)
            Invalid("unsupported RSA key size " + std::to_string(bits) + ": use 2048, 3072 or 4096");
        libssh_type = SSH_KEYTYPE_RSA;
        parameter = bits;
    } else {
        Invalid("unsupported key type: generate \"ed25519\" or \"rsa\"");
    }

    ssh_key raw = nullptr;
    if (ssh_pki_generate(libssh_type, parameter, &raw) != SSH_OK || raw == nullptr)
        throw core::Error(errc::internal, "key generation failed");
    KeyPtr key(raw);
    KeyMaterial km = Describe(key.get(), comment);
    km.private_key = ExportPrivate(key.get(), km.comment);
    return km;
}

KeyMaterial ImportPrivateKey(std::string_view text, std::string_view passphrase, std::string_view comment) {
    EnsureInit();
    RequireValidComment(comment);
    if (Trim(text).empty()) Invalid("the private key is empty");
    if (text.size() > kMaxPrivateKeyBytes) Invalid("the private key is larger than 64 KiB");
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        // Armoured keys are 7-bit text; anything else (binary, NUL that would cut the C string
        // libssh sees) is not a key.
        if ((u < 0x20 && c != '\n' && c != '\r' && c != '\t') || u >= 0x7f) Invalid(std::string(kNotAKey));
    }

    PemInfo pem = Classify(text);
    Inspection inspection = Inspect(pem);
    if (inspection.encrypted && passphrase.empty()) Invalid("the private key is encrypted: a passphrase is required");

    SecretBuffer key_text(text);
    SecretBuffer pass(inspection.encrypted ? passphrase : std::string_view{});
    // A non-null (possibly empty) passphrase keeps OpenSSL from ever falling back to a terminal prompt.
    ssh_key raw = nullptr;
    int rc = ssh_pki_import_privkey_base64(key_text.c_str(), pass.c_str(), nullptr, nullptr, &raw);
    KeyPtr key(raw);
    if (rc != SSH_OK || !key) {
        if (inspection.encrypted)
            Invalid(inspection.structurally_sound ? "wrong passphrase" : "wrong passphrase or malformed key");
        Invalid(std::string(kNotAKey));
    }
    if (!ssh_key_is_private(key.get())) Invalid(std::string(kNotAKey));

    KeyMaterial km = Describe(key.get(), comment.empty() ? std::string_view(inspection.comment) : comment);
    // libssh 0.10 cannot re-export an RSA key read from OpenSSH format (see ReadOpenSshPrivate), and
    // for an encrypted one we have no plaintext fields of our own to fall back on. Such a key (what
    // ssh-keygen makes by default on Debian 12) is kept as it came, with its passphrase: both go to
    // the vault, and the passphrase opens it again at login. The import above proved the pair works.
    if (pem.format == PrivateFormat::openssh && inspection.encrypted && ssh_key_type(key.get()) == SSH_KEYTYPE_RSA) {
        km.private_key = std::string(text);
        km.passphrase = std::string(passphrase);
        return km;
    }
    // The input's own fields are reused only when libssh agreed on the key type.
    bool reuse = !inspection.private_fields.empty() && inspection.key_type == WireName(key.get());
    km.private_key = ExportPrivate(key.get(), km.comment, reuse ? inspection.private_fields : std::string_view{});
    return km;
}

KeyMaterial ImportPublicKey(std::string_view line, std::string_view comment) {
    EnsureInit();
    RequireValidComment(comment);
    if (line.size() > kMaxPublicLineBytes) Invalid("the public key line is larger than 16 KiB");
    // One trailing newline is what every .pub file ends with.
    if (line.ends_with("\r\n")) {
        line.remove_suffix(2);
    } else if (line.ends_with('\n')) {
        line.remove_suffix(1);
    }
    for (char c : line) {
        if (c == '\n' || c == '\r') Invalid("the public key must be a single line");
        auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\t') || u == 0x7f) Invalid("the public key line contains control characters");
    }
    line = Trim(line);
    if (line.empty()) Invalid("the public key is empty");

    auto next_token = [](std::string_view& rest) {
        rest = Trim(rest);
        std::size_t end = rest.find_first_of(" \t");
        std::string_view token = rest.substr(0, end);
        rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
        return token;
    };
    std::string_view rest = line;
    std::string_view type_token = next_token(rest);
    const TypeInfo* info = FindByWireName(type_token);
    if (info == nullptr) {
        // authorized_keys allows options before the type; a stored key must not carry them.
        std::string_view probe = rest;
        while (!probe.empty())
            if (FindByWireName(next_token(probe)) != nullptr) Invalid("options before the key type are not allowed");
        if (type_token.find_first_of("=,\"") != std::string_view::npos)
            Invalid("options before the key type are not allowed");
        Invalid(
            "not a valid public key line: expected \"<type> <base64> [comment]\" with type ssh-ed25519, ssh-rsa "
            "or ecdsa-sha2-nistp256/384/521");
    }
    std::string_view b64 = next_token(rest);
    std::string line_comment(Trim(rest));
    if (b64.empty()) Invalid("not a valid public key line: the key data is missing");

    std::string blob;
    if (!Base64Decode(b64, blob, false)) Invalid("not a valid public key line: the key data is not valid base64");
    WireReader reader(blob);
    std::string_view blob_type;
    if (!reader.String(blob_type) || blob_type != info->wire_name)
        Invalid("not a valid public key line: the key data does not match the key type");

    std::string b64_text(b64);
    ssh_key raw = nullptr;
    int rc = ssh_pki_import_pubkey_base64(b64_text.c_str(), info->libssh_type, &raw);
    KeyPtr key(raw);
    if (rc != SSH_OK || !key) Invalid("not a valid public key line: the key data is malformed");

    if (!comment.empty()) return Describe(key.get(), comment);
    if (!IsValidComment(line_comment))
        Invalid("the comment must be a single line of at most 1024 bytes without control characters");
    return Describe(key.get(), line_comment);
}

}  // namespace gatehouse::ssh
