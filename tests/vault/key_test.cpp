#include <gtest/gtest.h>
#include <sys/stat.h>

#include "core/errc.hpp"
#include "vault_fixture.hpp"

namespace gatehouse::vault::test {
namespace {

using store::test::Backend;
namespace fs = std::filesystem;

const Owner kOwner{"server", "srv-1", "ssh_password"};

std::string OpenError(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    ADD_FAILURE() << "expected std::runtime_error";
    return {};
}

class KeyTest : public VaultTest {};

TEST_P(KeyTest, FreshDirectoryCreatesAPrivateKeyFileAndRecordsItsId) {
    auto vault = OpenVault();
    const auto file = data_dir_ / "vault.key";
    struct stat st {};
    ASSERT_EQ(::stat(file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    const std::string text = ReadFile(file);
    ASSERT_EQ(text.size(), 65u);
    EXPECT_EQ(text.back(), '\n');
    EXPECT_EQ(text.find_first_not_of("0123456789abcdef"), 64u);
    EXPECT_EQ(RecordedKeyId(), vault->key_id());

    // Reopening uses the same file.
    auto again = OpenVault();
    EXPECT_EQ(again->key_id(), vault->key_id());
    EXPECT_EQ(ReadFile(file), text);
}

TEST_P(KeyTest, KeyFromEnvironment) {
    const std::string key = RandomKey();
    auto vault = OpenVault(Hex(key));
    EXPECT_EQ(vault->key_id(), KeyId(key));
    EXPECT_FALSE(fs::exists(data_dir_ / "vault.key"));  // the environment key needs no file
    Seal(*vault, kOwner, "hunter2");
    EXPECT_EQ(Reveal(*OpenVault(Hex(key) + "\n"), kOwner), "hunter2");

    for (const std::string& bad :
         std::vector<std::string>{"", "abc", Hex(key).substr(2), Hex(key) + "00", "zz" + Hex(key).substr(2)}) {
        EXPECT_EQ(OpenError([&] { OpenVault(bad); }), "GATEHOUSE_VAULT_KEY must be 64 hex digits");
    }
}

TEST_P(KeyTest, WrongKeyFileRefusesAndChangesNothing) {
    auto vault = OpenVault();
    Seal(*vault, kOwner, "hunter2");
    const std::string right_file = ReadFile(data_dir_ / "vault.key");

    const auto other_dir = NewDir();
    const std::string wrong = RandomKey();
    WriteFile(other_dir / "vault.key", Hex(wrong) + "\n");
    const std::string message = OpenError([&] { Vault::Open(other_dir, std::nullopt, db()); });
    EXPECT_NE(message.find(KeyId(wrong)), std::string::npos) << message;
    EXPECT_NE(message.find(vault->key_id()), std::string::npos) << message;
    EXPECT_NE(message.find("refusing to start"), std::string::npos) << message;
    EXPECT_EQ(message.find(Hex(wrong)), std::string::npos) << "key material in the message";
    EXPECT_EQ(ReadFile(other_dir / "vault.key"), Hex(wrong) + "\n");
    EXPECT_EQ(Files(other_dir), std::vector<std::string>{"vault.key"});

    // The same through the environment, with the right key file in place.
    const std::string env_message = OpenError([&] { OpenVault(Hex(wrong)); });
    EXPECT_NE(env_message.find(KeyId(wrong)), std::string::npos) << env_message;
    EXPECT_NE(env_message.find(vault->key_id()), std::string::npos) << env_message;

    EXPECT_EQ(ReadFile(data_dir_ / "vault.key"), right_file);
    EXPECT_EQ(RecordedKeyId(), vault->key_id());
    EXPECT_EQ(Reveal(*OpenVault(), kOwner), "hunter2");
}

TEST_P(KeyTest, MissingKeyFileWithSecretsRefusesAndCreatesNothing) {
    auto vault = OpenVault();
    Seal(*vault, kOwner, "hunter2");
    const auto empty_dir = NewDir();
    const std::string message = OpenError([&] { Vault::Open(empty_dir, std::nullopt, db()); });
    EXPECT_NE(message.find("is missing"), std::string::npos) << message;
    EXPECT_NE(message.find(vault->key_id()), std::string::npos) << message;
    EXPECT_NE(message.find("GATEHOUSE_VAULT_KEY"), std::string::npos) << message;
    EXPECT_TRUE(Files(empty_dir).empty());

    // Even with the key id record gone, existing secrets still protect against a new key.
    Sql("DELETE FROM vault_meta");
    EXPECT_NE(OpenError([&] { Vault::Open(empty_dir, std::nullopt, db()); }).find("is missing"), std::string::npos);
    EXPECT_TRUE(Files(empty_dir).empty());
    EXPECT_EQ(Reveal(*OpenVault(), kOwner), "hunter2");  // and the right key records itself again
    EXPECT_EQ(RecordedKeyId(), vault->key_id());
}

TEST_P(KeyTest, MalformedKeyFileIsNeverReplaced) {
    WriteFile(data_dir_ / "vault.key", "not a key\n");
    EXPECT_NE(OpenError([&] { OpenVault(); }).find("malformed"), std::string::npos);
    EXPECT_EQ(ReadFile(data_dir_ / "vault.key"), "not a key\n");
    EXPECT_EQ(RecordedKeyId(), std::nullopt);
}

TEST_P(KeyTest, OldKeyFilesDecryptDuringARotation) {
    const std::string old_key = RandomKey();
    auto old_vault = OpenVault(Hex(old_key));
    Seal(*old_vault, kOwner, "hunter2");
    // What Rotate leaves between its copy and its commit, seen by a reader: the current key plus
    // vault.key.<id>.old.
    const std::string new_key = RandomKey();
    WriteFile(data_dir_ / ("vault.key." + KeyId(old_key) + ".old"), Hex(old_key) + "\n");
    Sql("UPDATE vault_meta SET value = ?", {store::Text(KeyId(new_key))});
    auto vault = OpenVault(Hex(new_key));
    EXPECT_EQ(vault->key_id(), KeyId(new_key));
    EXPECT_EQ(Reveal(*vault, kOwner), "hunter2");
}

TEST_P(KeyTest, ConstructorValidatesKeys) {
    EXPECT_THROW(Vault(std::vector<std::string>{}), std::invalid_argument);
    EXPECT_THROW(Vault(std::vector<std::string>{"short"}), std::invalid_argument);
    const std::string key = RandomKey();
    Vault vault({key});
    EXPECT_EQ(vault.key_id(), KeyId(key));
    Seal(vault, kOwner, "x");  // no recorded key id: a directly constructed vault may seal
    EXPECT_EQ(Reveal(vault, kOwner), "x");
}

INSTANTIATE_TEST_SUITE_P(Backends, KeyTest, ::testing::Values(Backend::sqlite, Backend::postgres),
                         store::test::BackendName);

}  // namespace
}  // namespace gatehouse::vault::test
