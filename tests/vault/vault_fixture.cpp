#include "vault_fixture.hpp"

#include <sodium.h>
#include <stdlib.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "store/migrations.hpp"

namespace gatehouse::vault::test {

void VaultTest::SetUp() {
    BackendTest::SetUp();
    if (HasFatalFailure()) return;
    ::unsetenv("GATEHOUSE_VAULT_KEY");
    store::Migrate(db());
    data_dir_ = NewDir();
}

void VaultTest::TearDown() {
    for (const auto& dir : dirs_) std::filesystem::remove_all(dir);
    BackendTest::TearDown();
}

std::filesystem::path VaultTest::NewDir() {
    char templ[] = "/tmp/gatehouse-vault-XXXXXX";
    if (::mkdtemp(templ) == nullptr) throw std::runtime_error("mkdtemp failed");
    dirs_.emplace_back(templ);
    return dirs_.back();
}

void VaultTest::Seal(const Vault& vault, const Owner& owner, std::string_view plaintext) {
    db().WithTransaction([&](store::Connection& c) { vault.Seal(c, owner, plaintext); });
}

std::optional<std::string> VaultTest::Reveal(const Vault& vault, const Owner& owner) {
    std::optional<std::string> out;
    db().WithRead([&](store::Connection& c) { out = vault.Reveal(c, owner); });
    return out;
}

void VaultTest::Sql(const std::string& sql, std::initializer_list<store::Value> params) {
    db().WithTransaction([&](store::Connection& c) { c.Execute(sql, params); });
}

std::optional<std::string> VaultTest::RecordedKeyId() {
    std::optional<std::string> id;
    db().WithRead([&](store::Connection& c) {
        const auto meta = c.Execute("SELECT value FROM vault_meta WHERE key = 'key_id'");
        if (!meta.empty()) id = meta.rows.front().String(0);
    });
    return id;
}

std::string ReadFile(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteFile(const std::filesystem::path& file, const std::string& bytes) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << bytes;
}

std::string Hex(const std::string& key) {
    std::string hex(key.size() * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(key.data()), key.size());
    hex.pop_back();
    return hex;
}

std::string RandomKey() {
    std::string key(32, '\0');
    randombytes_buf(key.data(), key.size());
    return key;
}

std::vector<std::string> Files(const std::filesystem::path& dir) {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) names.push_back(entry.path().filename());
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace gatehouse::vault::test
