#include <mutex>

#include "core/errc.hpp"
#include "ssh/key_detail.hpp"

namespace gatehouse::ssh::detail {

using core::errc;

void Invalid(std::string message) { throw core::Error(errc::invalid_argument, std::move(message)); }

void EnsureInit() {
    static std::once_flag once;
    std::call_once(once, [] { ssh_init(); });
}

// ---- SSH wire format --------------------------------------------------------------------------

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

KeyMaterial Describe(ssh_key key, std::string_view comment) {
    const TypeInfo* info = FindByLibsshType(ssh_key_type(key));
    if (info == nullptr) Invalid("unsupported key type: only Ed25519, RSA and ECDSA keys are accepted");

    char* raw_b64 = nullptr;
    // libssh imports some RSA keys whose parameters OpenSSL then refuses to encode: the key is bad, not the server.
    if (ssh_pki_export_pubkey_base64(key, &raw_b64) != SSH_OK || raw_b64 == nullptr)
        Invalid("the key's parameters are invalid: it cannot be encoded");
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

}  // namespace gatehouse::ssh::detail
