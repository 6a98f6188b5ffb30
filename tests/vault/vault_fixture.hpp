#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "fixtures/backend.hpp"
#include "vault/vault.hpp"

namespace gatehouse::vault::test {

/// Both backends, a migrated schema and a fresh data directory per test.
class VaultTest : public store::test::BackendTest {
  protected:
    void SetUp() override;
    void TearDown() override;

    std::unique_ptr<Vault> OpenVault(const std::optional<std::string>& env_key = std::nullopt) {
        return Vault::Open(data_dir_, env_key, db());
    }
    void Seal(const Vault& vault, const Owner& owner, std::string_view plaintext);
    std::optional<std::string> Reveal(const Vault& vault, const Owner& owner);
    void Sql(const std::string& sql, std::initializer_list<store::Value> params = {});
    std::optional<std::string> RecordedKeyId();
    /// A new empty data directory (removed in TearDown).
    std::filesystem::path NewDir();

    std::filesystem::path data_dir_;

  private:
    std::vector<std::filesystem::path> dirs_;
};

std::string ReadFile(const std::filesystem::path& file);
void WriteFile(const std::filesystem::path& file, const std::string& bytes);
/// Hex text of a key, as the key file and GATEHOUSE_VAULT_KEY hold it.
std::string Hex(const std::string& key);
std::string RandomKey();
/// File names in `dir`, sorted.
std::vector<std::string> Files(const std::filesystem::path& dir);

}  // namespace gatehouse::vault::test
