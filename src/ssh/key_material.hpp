#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gatehouse::ssh {

/// Everything about an SSH key pair that may be shown, plus the private part (only ever passed
/// to the vault).
struct KeyMaterial {
    std::string type;         // "ed25519", "rsa", "ecdsa"
    int bits = 0;             // 256 for ed25519; RSA modulus size; ECDSA curve size
    std::string fingerprint;  // "SHA256:<base64 without padding>" as `ssh-keygen -l` prints it
    std::string public_key;   // authorized_keys line: "<type> <base64> <comment>" (comment omitted when empty)
    std::string comment;
    std::optional<std::string> private_key;  // OpenSSH private key text, unencrypted; nullopt for public-only
    /// Set only when `private_key` had to be kept encrypted (an encrypted OpenSSH RSA key, which
    /// libssh 0.10 cannot re-export): the passphrase that opens it. Secret, like the key.
    std::optional<std::string> passphrase;
};

/// Generates a key. `type` "ed25519" (bits ignored) or "rsa" with bits 2048/3072/4096.
/// Throws core::Error(invalid_argument) for another type or size. CPU-heavy for RSA: call on a
/// worker pool.
KeyMaterial GenerateKey(std::string_view type, int bits, std::string_view comment);

/// Parses an OpenSSH or PEM private key (`passphrase` when encrypted). Throws
/// core::Error(invalid_argument) with a clear message for malformed/truncated input, a wrong or
/// missing passphrase ("wrong passphrase"), or input over 64 KiB; the message never echoes the input.
KeyMaterial ImportPrivateKey(std::string_view text, std::string_view passphrase, std::string_view comment);

/// Parses an authorized_keys-style public key line ("ssh-ed25519 AAAA... comment"). Options before
/// the type are refused. Throws core::Error(invalid_argument).
KeyMaterial ImportPublicKey(std::string_view line, std::string_view comment);

/// The rule of every key comment: one line of at most 1024 bytes without control characters.
bool ValidKeyComment(std::string_view comment);

/// A stored key's authorized_keys line (`public_key` of KeyMaterial) with `comment` in place of its own; the key
/// itself (type and base64) is kept. Throws core::Error(invalid_argument) for a comment that is not one line of
/// at most 1024 bytes without control characters.
std::string WithComment(std::string_view public_key, std::string_view comment);

}  // namespace gatehouse::ssh
