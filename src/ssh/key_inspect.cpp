#include "ssh/key_detail.hpp"

namespace gatehouse::ssh::detail {

// ---- private key inspection (before handing it to libssh) ------------------------------------

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

namespace {

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

}  // namespace

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
        if (kdf == "bcrypt") {
            WireReader options(kdf_options);
            std::string_view salt;
            std::uint32_t rounds = 0;
            if (!options.String(salt) || !options.U32(rounds) || !options.Empty() || rounds == 0)
                Invalid(std::string(kNotAKey) + ": its key derivation options are damaged");
            if (rounds > kMaxBcryptRounds)
                Invalid("the private key asks for " + std::to_string(rounds) + " bcrypt rounds; at most " +
                        std::to_string(kMaxBcryptRounds) + " are accepted (ssh-keygen -a)");
        }
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
            // A key type we cannot read is one we do not support; and libssh 0.10 leaks the type name of a type it
            // does not know (20 bytes per import): it never sees one.
            if (out.key_type.empty()) Invalid(std::string(kNotAKey) + ": unsupported key type, or it is damaged");
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

}  // namespace gatehouse::ssh::detail
