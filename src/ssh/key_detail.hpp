#pragma once
// Shared by the key_*.cpp files only: helpers for parsing, describing and serialising SSH keys.

#include <libssh/libssh.h>
#include <string.h>  // explicit_bzero

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

#include "core/base64.hpp"
#include "ssh/key_material.hpp"

namespace gatehouse::ssh::detail {

inline constexpr std::size_t kMaxPrivateKeyBytes = 64 * 1024;
inline constexpr std::size_t kMaxPublicLineBytes = 16 * 1024;
// authorized_keys lines are read by humans and by sshd; a comment is a label, not a payload.
inline constexpr std::size_t kMaxCommentBytes = 1024;
/// The most bcrypt rounds an encrypted OpenSSH key may ask for: the work grows with them, and millions would hold a
/// worker for hours. ssh-keygen writes 16 unless told otherwise (-a).
inline constexpr std::uint32_t kMaxBcryptRounds = 500;

// The armour of the OpenSSH private key container (PROTOCOL.key), not key material.
inline constexpr std::string_view kOpenSshBegin = "-----BEGIN OPENSSH PRIVATE KEY-----";
inline constexpr std::string_view kOpenSshEnd = "-----END OPENSSH PRIVATE KEY-----";
inline constexpr std::string_view kOpenSshMagic{"openssh-key-v1\0", 15};
inline constexpr std::string_view kNotAKey = "not a valid private key";

/// Throws core::Error(invalid_argument, message).
[[noreturn]] void Invalid(std::string message);
/// libssh keeps global crypto state that must be initialised exactly once before concurrent use.
void EnsureInit();

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
    ~SecretBuffer() {
        if (data_.capacity() > 0) explicit_bzero(data_.data(), data_.capacity());
    }

    std::string& str() { return data_; }
    const char* c_str() const { return data_.c_str(); }

  private:
    std::string data_;
};

/// Strict standard base64 with padding; whitespace is skipped only when `skip_whitespace` (PEM bodies).
using core::Base64Decode;
using core::Base64Encode;

/// Reads SSH wire-format integers and length-prefixed strings.
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

int BitLength(std::string_view mpint);

struct TypeInfo {
    std::string_view wire_name;  // as in authorized_keys
    std::string_view family;     // KeyMaterial::type
    ssh_keytypes_e libssh_type;
    int fixed_bits;  // 0: read from the key (RSA)
};

inline constexpr std::array<TypeInfo, 5> kSupportedTypes{{
    {"ssh-ed25519", "ed25519", SSH_KEYTYPE_ED25519, 256},
    {"ssh-rsa", "rsa", SSH_KEYTYPE_RSA, 0},
    {"ecdsa-sha2-nistp256", "ecdsa", SSH_KEYTYPE_ECDSA_P256, 256},
    {"ecdsa-sha2-nistp384", "ecdsa", SSH_KEYTYPE_ECDSA_P384, 384},
    {"ecdsa-sha2-nistp521", "ecdsa", SSH_KEYTYPE_ECDSA_P521, 521},
}};

const TypeInfo* FindByWireName(std::string_view name);
const TypeInfo* FindByLibsshType(ssh_keytypes_e type);
std::string_view WireName(ssh_key key);
bool IsValidComment(std::string_view comment);
void RequireValidComment(std::string_view comment);
std::string_view Trim(std::string_view s);
/// Everything shown about a key, from its public half; the private text is filled by callers.
KeyMaterial Describe(ssh_key key, std::string_view comment);

/// Unencrypted OpenSSH private key text for `key` (key_openssh_export.cpp). `source_fields`, when
/// given, are the input's own private fields, re-serialised as they came.
std::string ExportPrivate(ssh_key key, std::string_view comment, std::string_view source_fields = {});

// ---- inspection of a private key before libssh sees it (key_inspect.cpp) ----

enum class PrivateFormat { openssh, pem_rsa, pem_ec, pem_pkcs8, pem_pkcs8_encrypted };

struct PemInfo {
    PrivateFormat format;
    std::string_view body;  // between the BEGIN and END lines, headers included
};

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

/// Finds the armour, refusing anything we would not hand to libssh. Messages never quote the input.
PemInfo Classify(std::string_view text);
Inspection Inspect(const PemInfo& pem);

}  // namespace gatehouse::ssh::detail
