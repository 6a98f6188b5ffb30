#include "ssh/key_material.hpp"

#include "core/errc.hpp"
#include "ssh/key_detail.hpp"

namespace gatehouse::ssh {

using namespace detail;
using core::errc;

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

bool ValidKeyComment(std::string_view comment) { return IsValidComment(comment); }

std::string WithComment(std::string_view public_key, std::string_view comment) {
    RequireValidComment(comment);
    // The line was written by Describe: "<type> <base64>", then " <comment>" when there is one.
    const auto type_end = public_key.find(' ');
    const auto key_end = type_end == std::string_view::npos ? type_end : public_key.find(' ', type_end + 1);
    std::string line(public_key.substr(0, key_end));
    if (!comment.empty()) line.append(" ").append(comment);
    return line;
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
    // An ECDSA blob names its curve again; libssh goes by that one, so "nistp521" around a P-256 point would be
    // described as P-256 under a P-521 name.
    std::string_view curve;
    if (info->family == "ecdsa" && (!reader.String(curve) || curve != info->wire_name.substr(11)))
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
