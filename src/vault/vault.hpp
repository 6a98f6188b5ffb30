#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"

namespace gatehouse::vault {

/// Who a secret belongs to. Bound into every ciphertext as associated data, so a ciphertext
/// copied to another row, owner or purpose does not decrypt.
struct Owner {
    std::string type;     // "server", "ssh_key"
    std::string id;       // the owner's id
    std::string purpose;  // "ssh_password", "private_key", "passphrase", "postgres_password"
};

/// Secrets encrypted with libsodium XChaCha20-Poly1305 (IETF) under a 256-bit master key. Each
/// ciphertext records the id of the key that sealed it (key id = first 8 bytes of SHA-256 of the
/// key, hex). Plaintext never leaves this class except as the return value of Reveal().
///
/// All methods are blocking and take the caller's connection, so a secret is written in the same
/// transaction as its owner row. Errors: core::Error(not_found) for a missing secret,
/// core::Error(internal) when a ciphertext fails to authenticate (tampered, moved, wrong key).
class Vault {
  public:
    /// `keys`: the current master key first, then older keys still accepted for decryption.
    explicit Vault(std::vector<std::string> keys);
    /// Wipes the keys from memory.
    ~Vault();

    /// Loads the master key from `GATEHOUSE_VAULT_KEY` (64 hex digits; `env_key`) or
    /// `<data_dir>/vault.key` (created, mode 0600, only when the database has no secrets and no
    /// recorded key id yet). Checks it against the key id recorded in the database
    /// (`vault_meta`): a different key makes this throw std::runtime_error saying so, and nothing
    /// is created or overwritten. Records the key id on first use.
    static std::unique_ptr<Vault> Open(const std::filesystem::path& data_dir, const std::optional<std::string>& env_key,
                                       store::Database& database);

    const std::string& key_id() const noexcept { return key_ids_.front(); }

    /// Stores (or replaces) the secret of `owner`.
    void Seal(store::Connection& c, const Owner& owner, std::string_view plaintext) const;
    /// The plaintext of `owner`'s secret; nullopt when there is none.
    std::optional<std::string> Reveal(store::Connection& c, const Owner& owner) const;
    bool Has(store::Connection& c, const Owner& owner) const;
    void Erase(store::Connection& c, const Owner& owner) const;
    /// Erases every secret of an owner (type + id), whatever the purpose.
    void EraseAll(store::Connection& c, std::string_view owner_type, std::string_view owner_id) const;

  private:
    std::vector<std::string> keys_;
    std::vector<std::string> key_ids_;
};

/// `gatehouse vault rotate`: generates a new key, re-encrypts every secret with it in one
/// transaction, records the new key id, then replaces `<data_dir>/vault.key` (the old key is kept
/// as `vault.key.<old id>.old` until the transaction committed, then removed). Refuses when the
/// key comes from GATEHOUSE_VAULT_KEY (print the new key instead? no: it says to rotate the
/// variable by hand). Returns the number of secrets re-encrypted. Throws std::runtime_error.
std::size_t Rotate(const std::filesystem::path& data_dir, store::Database& database);

/// Hex key id of a 32-byte key.
std::string KeyId(std::string_view key);

}  // namespace gatehouse::vault
