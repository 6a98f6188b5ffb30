#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "core/errc.hpp"
#include "vault_fixture.hpp"

namespace gatehouse::vault::test {
namespace {

using store::test::Backend;

class RotateTest : public VaultTest {
  protected:
    void SealSome(const Vault& vault) {
        for (int i = 0; i < 5; ++i) {
            Seal(vault, {"server", "srv-" + std::to_string(i), "ssh_password"}, "password-" + std::to_string(i));
        }
        Seal(vault, {"ssh_key", "key-1", "private_key"}, std::string("\0binary\xff", 8));
        Seal(vault, {"ssh_key", "key-1", "passphrase"}, "");
    }
    void ExpectAll(const Vault& vault) {
        for (int i = 0; i < 5; ++i) {
            EXPECT_EQ(Reveal(vault, {"server", "srv-" + std::to_string(i), "ssh_password"}),
                      "password-" + std::to_string(i));
        }
        EXPECT_EQ(Reveal(vault, {"ssh_key", "key-1", "private_key"}), std::string("\0binary\xff", 8));
        EXPECT_EQ(Reveal(vault, {"ssh_key", "key-1", "passphrase"}), "");
    }
};

TEST_P(RotateTest, ReEncryptsEverySecretUnderANewKey) {
    auto old_vault = OpenVault();
    SealSome(*old_vault);
    const std::string old_file = ReadFile(data_dir_ / "vault.key");

    EXPECT_EQ(Rotate(data_dir_, db()), 7u);

    const std::string new_file = ReadFile(data_dir_ / "vault.key");
    EXPECT_NE(new_file, old_file);
    EXPECT_EQ(new_file.size(), 65u);
    struct stat st {};
    ASSERT_EQ(::stat((data_dir_ / "vault.key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_EQ(Files(data_dir_), std::vector<std::string>{"vault.key"});  // no .new or .old left

    auto vault = OpenVault();
    EXPECT_NE(vault->key_id(), old_vault->key_id());
    EXPECT_EQ(RecordedKeyId(), vault->key_id());
    ExpectAll(*vault);
    db().WithRead([&](store::Connection& c) {
        const auto rows = c.Execute("SELECT DISTINCT key_id FROM secrets");
        ASSERT_EQ(rows.rows.size(), 1u);
        EXPECT_EQ(rows.rows[0].String(0), vault->key_id());
    });

    // The old key no longer opens the database...
    const auto old_dir = NewDir();
    WriteFile(old_dir / "vault.key", old_file);
    EXPECT_THROW(Vault::Open(old_dir, std::nullopt, db()), std::runtime_error);
    EXPECT_THROW(OpenVault(old_file.substr(0, 64)), std::runtime_error);
    // ...and a process still holding it can neither read nor write secrets.
    EXPECT_THROW(Reveal(*old_vault, {"server", "srv-0", "ssh_password"}), core::Error);
    EXPECT_THROW(Seal(*old_vault, {"server", "srv-9", "ssh_password"}, "x"), core::Error);

    // A second rotation works from the new key.
    EXPECT_EQ(Rotate(data_dir_, db()), 7u);
    ExpectAll(*OpenVault());
}

TEST_P(RotateTest, EmptyVaultRotates) {
    OpenVault();
    EXPECT_EQ(Rotate(data_dir_, db()), 0u);
    EXPECT_EQ(RecordedKeyId(), OpenVault()->key_id());
}

TEST_P(RotateTest, RefusedWhenTheKeyComesFromTheEnvironment) {
    auto vault = OpenVault();
    SealSome(*vault);
    const std::string key_file = ReadFile(data_dir_ / "vault.key");
    ::setenv("GATEHOUSE_VAULT_KEY", key_file.substr(0, 64).c_str(), 1);
    try {
        Rotate(data_dir_, db());
        ADD_FAILURE() << "expected a refusal";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("GATEHOUSE_VAULT_KEY is set"), std::string::npos) << e.what();
        EXPECT_EQ(std::string(e.what()).find(key_file.substr(0, 64)), std::string::npos);
    }
    ::unsetenv("GATEHOUSE_VAULT_KEY");
    EXPECT_EQ(ReadFile(data_dir_ / "vault.key"), key_file);
    EXPECT_EQ(Files(data_dir_), std::vector<std::string>{"vault.key"});
    EXPECT_EQ(RecordedKeyId(), vault->key_id());
    ExpectAll(*OpenVault());
}

TEST_P(RotateTest, AFailedTransactionLeavesEverythingAsItWas) {
    auto vault = OpenVault();
    SealSome(*vault);
    Sql("UPDATE secrets SET key_id = 'ffffffffffffffff' WHERE owner_id = 'srv-3'");  // cannot be decrypted
    const std::string key_file = ReadFile(data_dir_ / "vault.key");
    try {
        Rotate(data_dir_, db());
        ADD_FAILURE() << "expected the rotation to fail";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("nothing was changed"), std::string::npos) << e.what();
        EXPECT_EQ(std::string(e.what()).find("password-"), std::string::npos) << e.what();
    }
    EXPECT_EQ(ReadFile(data_dir_ / "vault.key"), key_file);
    EXPECT_EQ(Files(data_dir_), std::vector<std::string>{"vault.key"});
    EXPECT_EQ(RecordedKeyId(), vault->key_id());
    Sql("UPDATE secrets SET key_id = ? WHERE owner_id = 'srv-3'", {store::Text(vault->key_id())});
    ExpectAll(*OpenVault());
}

TEST_P(RotateTest, ACrashBetweenCommitAndRenameIsRecovered) {
    auto vault = OpenVault();
    SealSome(*vault);
    const std::string old_file = ReadFile(data_dir_ / "vault.key");
    Rotate(data_dir_, db());
    const std::string new_file = ReadFile(data_dir_ / "vault.key");
    // Put the files back as they were right after the commit: old key in vault.key, new key in
    // vault.key.new, the old key's copy in vault.key.<id>.old.
    WriteFile(data_dir_ / "vault.key.new", new_file);
    WriteFile(data_dir_ / "vault.key", old_file);
    WriteFile(data_dir_ / ("vault.key." + vault->key_id() + ".old"), old_file);

    auto recovered = OpenVault();  // reads only
    EXPECT_EQ(recovered->key_id(), RecordedKeyId());
    ExpectAll(*recovered);
    EXPECT_EQ(ReadFile(data_dir_ / "vault.key"), old_file);

    EXPECT_EQ(Rotate(data_dir_, db()), 7u);  // finishes the old rotation, then rotates again
    EXPECT_EQ(Files(data_dir_), std::vector<std::string>{"vault.key"});
    ExpectAll(*OpenVault());
}

TEST_P(RotateTest, StaleNewFileFromAnUncommittedRotationIsIgnored) {
    auto vault = OpenVault();
    SealSome(*vault);
    WriteFile(data_dir_ / "vault.key.new", Hex(RandomKey()) + "\n");
    EXPECT_EQ(OpenVault()->key_id(), vault->key_id());
    EXPECT_EQ(Rotate(data_dir_, db()), 7u);
    EXPECT_EQ(Files(data_dir_), std::vector<std::string>{"vault.key"});
    ExpectAll(*OpenVault());
}

INSTANTIATE_TEST_SUITE_P(Backends, RotateTest, ::testing::Values(Backend::sqlite, Backend::postgres),
                         store::test::BackendName);

}  // namespace
}  // namespace gatehouse::vault::test
