#include "vault/vault.hpp"

#include <sodium.h>

#include <stdexcept>

#include "core/errc.hpp"
#include "core/ids.hpp"
#include "core/time.hpp"
#include "vault/key_file.hpp"

namespace gatehouse::vault {
namespace {

constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
static_assert(kNonceBytes == 24);
static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == detail::kKeyBytes);

const unsigned char* Bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
unsigned char* Bytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

// The owner and the key id are authenticated with the ciphertext: a row copied to another owner
// or purpose, or relabelled with another key id, fails to decrypt instead of revealing a secret.
// NUL separators are unambiguous because no field may contain NUL.
std::string AssociatedData(const Owner& owner, std::string_view key_id) {
    for (const std::string* field : {&owner.type, &owner.id, &owner.purpose}) {
        if (field->find('\0') != std::string::npos) {
            throw core::Error(core::errc::internal, "invalid secret owner", "vault owner field contains NUL");
        }
    }
    std::string ad("gatehouse-vault-v1", 18);
    for (std::string_view part :
         {std::string_view(owner.type), std::string_view(owner.id), std::string_view(owner.purpose), key_id}) {
        ad.push_back('\0');
        ad.append(part);
    }
    return ad;
}

core::Error Undecryptable(const Owner& owner, const std::string& why) {
    return core::Error(core::errc::internal, "a stored secret cannot be decrypted",
                       "vault: secret " + owner.type + "/" + owner.id + "/" + owner.purpose + ": " + why);
}

}  // namespace

std::string KeyId(std::string_view key) {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, Bytes(key), key.size());
    char hex[8 * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, digest, 8);
    return std::string(hex, 16);
}

Vault::Vault(std::vector<std::string> keys) : keys_(std::move(keys)) {
    try {
        if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
        if (keys_.empty()) throw std::invalid_argument("vault needs at least one key");
        for (const auto& key : keys_) {
            if (key.size() != detail::kKeyBytes) throw std::invalid_argument("vault keys must be 32 bytes");
            key_ids_.push_back(KeyId(key));
        }
    } catch (...) {
        // The destructor does not run when the constructor throws.
        detail::Wipe(keys_);
        throw;
    }
}

Vault::~Vault() { detail::Wipe(keys_); }

void Vault::Seal(store::Connection& c, const Owner& owner, std::string_view plaintext) const {
    // A process still holding a key that `vault rotate` replaced must not seal under it: that key
    // is deleted after the rotation, so the secret would be lost. FOR SHARE makes a concurrent
    // rotation (which updates this row first) and this seal wait for each other on PostgreSQL.
    const auto meta =
        c.Execute(c.dialect() == store::Dialect::postgres ? "SELECT value FROM vault_meta WHERE key = ? FOR SHARE"
                                                          : "SELECT value FROM vault_meta WHERE key = ?",
                  {store::Text(detail::kMetaKeyId)});
    if (!meta.empty() && meta.rows.front().String(0) != key_id()) {
        throw core::Error(
            core::errc::internal, "the vault key was rotated; restart gatehouse",
            "vault: the database names key " + meta.rows.front().String(0) + ", this process holds " + key_id());
    }
    const std::string& key = keys_.front();
    const std::string ad = AssociatedData(owner, key_id());
    std::string nonce(kNonceBytes, '\0');
    randombytes_buf(nonce.data(), nonce.size());
    std::string ciphertext(plaintext.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
    unsigned long long length = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(Bytes(ciphertext), &length, Bytes(plaintext), plaintext.size(),
                                               Bytes(ad), ad.size(), nullptr, Bytes(nonce), Bytes(key));
    ciphertext.resize(length);
    // One statement, so replacing a secret is atomic in both dialects; id and created_at stay.
    c.Execute(
        "INSERT INTO secrets (id, owner_type, owner_id, purpose, key_id, nonce, ciphertext, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (owner_type, owner_id, purpose) DO UPDATE SET "
        "key_id = excluded.key_id, nonce = excluded.nonce, ciphertext = excluded.ciphertext",
        {store::Text(core::NewUuidV7()), store::Text(owner.type), store::Text(owner.id), store::Text(owner.purpose),
         store::Text(key_id()), store::Blob{std::move(nonce)}, store::Blob{std::move(ciphertext)},
         store::Text(core::NowRfc3339())});
}

std::optional<std::string> Vault::Reveal(store::Connection& c, const Owner& owner) const {
    const auto result =
        c.Execute("SELECT key_id, nonce, ciphertext FROM secrets WHERE owner_type = ? AND owner_id = ? AND purpose = ?",
                  {store::Text(owner.type), store::Text(owner.id), store::Text(owner.purpose)});
    if (result.empty()) return std::nullopt;
    const auto& row = result.rows.front();
    const std::string& row_key_id = row.String(0);
    const std::string& nonce = row.Bytes(1);
    const std::string& ciphertext = row.Bytes(2);

    std::size_t index = 0;
    while (index < key_ids_.size() && key_ids_[index] != row_key_id) ++index;
    if (index == key_ids_.size()) throw Undecryptable(owner, "sealed with unknown key " + row_key_id);
    if (nonce.size() != kNonceBytes || ciphertext.size() < crypto_aead_xchacha20poly1305_ietf_ABYTES) {
        throw Undecryptable(owner, "malformed nonce or ciphertext");
    }
    const std::string ad = AssociatedData(owner, row_key_id);
    std::string plaintext(ciphertext.size() - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
    unsigned long long length = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(Bytes(plaintext), &length, nullptr, Bytes(ciphertext),
                                                   ciphertext.size(), Bytes(ad), ad.size(), Bytes(nonce),
                                                   Bytes(keys_[index])) != 0) {
        throw Undecryptable(owner, "authentication failed (tampered, moved or wrong key " + row_key_id + ")");
    }
    plaintext.resize(length);
    return plaintext;
}

bool Vault::Has(store::Connection& c, const Owner& owner) const {
    return !c.Execute("SELECT 1 FROM secrets WHERE owner_type = ? AND owner_id = ? AND purpose = ?",
                      {store::Text(owner.type), store::Text(owner.id), store::Text(owner.purpose)})
                .empty();
}

void Vault::Erase(store::Connection& c, const Owner& owner) const {
    c.Execute("DELETE FROM secrets WHERE owner_type = ? AND owner_id = ? AND purpose = ?",
              {store::Text(owner.type), store::Text(owner.id), store::Text(owner.purpose)});
}

void Vault::EraseAll(store::Connection& c, std::string_view owner_type, std::string_view owner_id) const {
    c.Execute("DELETE FROM secrets WHERE owner_type = ? AND owner_id = ?",
              {store::Text(owner_type), store::Text(owner_id)});
}

}  // namespace gatehouse::vault
