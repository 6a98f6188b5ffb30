#pragma once

// Key files (the one careful writer of secrets to disk: mode 0600, fsync, O_EXCL creation, never a silent
// replacement) and, internal to the vault module, key material handling shared by Open and Rotate.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"

namespace gatehouse::vault {

/// The key of `bytes` bytes in `file` (hex digits and a newline); nullopt when the file does not exist. Throws
/// std::runtime_error when it is unreadable or malformed (a key file is never silently replaced).
std::optional<std::string> ReadKeyFile(const std::filesystem::path& file, std::size_t bytes = 32);

/// Writes `key` as hex digits + newline, mode 0600, fsynced. `exclusive`: O_EXCL, returns false when the file
/// exists. Otherwise the file is replaced in place. Throws std::runtime_error.
bool WriteKeyFile(const std::filesystem::path& file, std::string_view key, bool exclusive);

/// The key in `file`, or a new one of `bytes` random bytes written there when the file does not exist (two
/// processes starting at once agree on one). Throws std::runtime_error.
std::string EnsureKeyFile(const std::filesystem::path& file, std::size_t bytes);

/// fsync of a directory, so a rename or create in it survives a crash. Throws std::runtime_error.
void SyncDirectory(const std::filesystem::path& dir);

}  // namespace gatehouse::vault

namespace gatehouse::vault::detail {

using vault::ReadKeyFile;
using vault::SyncDirectory;
using vault::WriteKeyFile;

inline constexpr std::size_t kKeyBytes = 32;
inline constexpr std::string_view kEnvVariable = "GATEHOUSE_VAULT_KEY";
inline constexpr std::string_view kMetaKeyId = "key_id";

/// Overwrites the bytes of `s` (sodium_memzero) and empties it.
void Wipe(std::string& s) noexcept;
void Wipe(std::vector<std::string>& keys) noexcept;

/// `bytes` key bytes from hex digits (surrounding whitespace ignored); nullopt when malformed.
std::optional<std::string> ParseHexKey(std::string_view hex, std::size_t bytes = kKeyBytes);

/// A new random key of `bytes` bytes.
std::string NewKey(std::size_t bytes = kKeyBytes);

/// Every `<data_dir>/vault.key.*.old` key (a rotation in progress).
std::vector<std::string> ReadOldKeys(const std::filesystem::path& data_dir);

struct LoadedKeys {
    std::vector<std::string> keys;       // current first, then decryption-only keys
    bool current_from_new_file = false;  // an interrupted rotation committed; vault.key.new is current
    LoadedKeys() = default;
    LoadedKeys(const LoadedKeys&) = delete;
    LoadedKeys& operator=(const LoadedKeys&) = delete;
    ~LoadedKeys() { Wipe(keys); }
};

/// Loads and checks the keys as Vault::Open documents; records the key id on first use.
void LoadKeys(const std::filesystem::path& data_dir, const std::optional<std::string>& env_key,
              store::Database& database, LoadedKeys& out);

}  // namespace gatehouse::vault::detail
