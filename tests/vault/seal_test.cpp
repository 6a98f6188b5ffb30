#include <gtest/gtest.h>

#include "core/errc.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"
#include "vault_fixture.hpp"

namespace gatehouse::vault::test {
namespace {

using store::test::Backend;

const Owner kPassword{"server", "srv-1", "ssh_password"};
const Owner kKey{"ssh_key", "key-1", "private_key"};

void ExpectUndecryptable(const std::function<void()>& fn) {
    try {
        fn();
        ADD_FAILURE() << "expected core::Error(internal)";
    } catch (const core::Error& e) {
        EXPECT_EQ(e.code(), core::errc::internal);
        EXPECT_STREQ(e.what(), "a stored secret cannot be decrypted");
    }
}

class SealTest : public VaultTest {};

TEST_P(SealTest, RoundTripsTextBinaryAndEmpty) {
    auto vault = OpenVault();
    const std::string binary("\0\x01\xff\xfe secret\0tail", 17);
    Seal(*vault, kPassword, "hunter2");
    Seal(*vault, kKey, binary);
    Seal(*vault, {"server", "srv-1", "postgres_password"}, "");
    EXPECT_EQ(Reveal(*vault, kPassword), "hunter2");
    EXPECT_EQ(Reveal(*vault, kKey), binary);
    EXPECT_EQ(Reveal(*vault, {"server", "srv-1", "postgres_password"}), "");
    EXPECT_EQ(Reveal(*vault, {"server", "srv-2", "ssh_password"}), std::nullopt);
    EXPECT_EQ(Count("secrets"), 3);

    // Replacing keeps one row per owner and purpose.
    Seal(*vault, kPassword, "correct horse");
    EXPECT_EQ(Reveal(*vault, kPassword), "correct horse");
    EXPECT_EQ(Count("secrets"), 3);
}

TEST_P(SealTest, RowsRecordTheKeyIdAndAFreshNonce) {
    auto vault = OpenVault();
    Seal(*vault, kPassword, "same");
    Seal(*vault, kKey, "same");
    db().WithRead([&](store::Connection& c) {
        const auto rows = c.Execute("SELECT key_id, nonce, ciphertext FROM secrets ORDER BY owner_type");
        ASSERT_EQ(rows.rows.size(), 2u);
        EXPECT_EQ(rows.rows[0].String(0), vault->key_id());
        EXPECT_EQ(rows.rows[0].Bytes(1).size(), 24u);
        EXPECT_NE(rows.rows[0].Bytes(1), rows.rows[1].Bytes(1));
        EXPECT_NE(rows.rows[0].Bytes(2), rows.rows[1].Bytes(2));
    });
    EXPECT_EQ(vault->key_id().size(), 16u);
}

TEST_P(SealTest, HasEraseAndEraseAll) {
    auto vault = OpenVault();
    const Owner pg{"server", "srv-1", "postgres_password"};
    const Owner other{"server", "srv-2", "ssh_password"};
    Seal(*vault, kPassword, "a");
    Seal(*vault, pg, "b");
    Seal(*vault, other, "c");
    db().WithTransaction([&](store::Connection& c) {
        EXPECT_TRUE(vault->Has(c, kPassword));
        vault->Erase(c, kPassword);
        EXPECT_FALSE(vault->Has(c, kPassword));
        EXPECT_TRUE(vault->Has(c, pg));
        vault->Erase(c, kPassword);  // erasing nothing is not an error
        vault->EraseAll(c, "server", "srv-1");
        EXPECT_FALSE(vault->Has(c, pg));
        EXPECT_TRUE(vault->Has(c, other));
    });
    EXPECT_EQ(Reveal(*vault, other), "c");
    EXPECT_EQ(Count("secrets"), 1);
}

TEST_P(SealTest, CiphertextCopiedToAnotherOwnerOrPurposeDoesNotDecrypt) {
    auto vault = OpenVault();
    Seal(*vault, kPassword, "hunter2");
    const std::string copy =
        "INSERT INTO secrets (id, owner_type, owner_id, purpose, key_id, nonce, ciphertext, created_at) "
        "SELECT ?, ?, ?, ?, key_id, nonce, ciphertext, created_at FROM secrets WHERE owner_id = 'srv-1'";
    Sql(copy, {store::Text("copy-1"), store::Text("server"), store::Text("srv-2"), store::Text("ssh_password")});
    Sql(copy, {store::Text("copy-2"), store::Text("server"), store::Text("srv-1x"), store::Text("postgres_password")});
    Sql(copy, {store::Text("copy-3"), store::Text("ssh_key"), store::Text("srv-1y"), store::Text("ssh_password")});
    ExpectUndecryptable([&] { Reveal(*vault, {"server", "srv-2", "ssh_password"}); });
    ExpectUndecryptable([&] { Reveal(*vault, {"server", "srv-1x", "postgres_password"}); });
    ExpectUndecryptable([&] { Reveal(*vault, {"ssh_key", "srv-1y", "ssh_password"}); });
    EXPECT_EQ(Reveal(*vault, kPassword), "hunter2");
}

TEST_P(SealTest, TamperedCiphertextNonceOrKeyIdFails) {
    auto vault = OpenVault();
    Seal(*vault, kPassword, "hunter2");
    std::string ciphertext, nonce;
    db().WithRead([&](store::Connection& c) {
        const auto row = c.Execute("SELECT ciphertext, nonce FROM secrets").rows.at(0);
        ciphertext = row.Bytes(0);
        nonce = row.Bytes(1);
    });
    std::string tampered = ciphertext;
    tampered[0] = static_cast<char>(tampered[0] ^ 0x01);
    Sql("UPDATE secrets SET ciphertext = ?", {store::Blob{tampered}});
    ExpectUndecryptable([&] { Reveal(*vault, kPassword); });

    Sql("UPDATE secrets SET ciphertext = ?", {store::Blob{ciphertext.substr(0, 10)}});
    ExpectUndecryptable([&] { Reveal(*vault, kPassword); });

    std::string other_nonce = nonce;
    other_nonce[5] = static_cast<char>(other_nonce[5] ^ 0x80);
    Sql("UPDATE secrets SET ciphertext = ?, nonce = ?", {store::Blob{ciphertext}, store::Blob{other_nonce}});
    ExpectUndecryptable([&] { Reveal(*vault, kPassword); });

    Sql("UPDATE secrets SET nonce = ?, key_id = 'ffffffffffffffff'", {store::Blob{nonce}});
    ExpectUndecryptable([&] { Reveal(*vault, kPassword); });

    Sql("UPDATE secrets SET key_id = ?", {store::Text(vault->key_id())});
    EXPECT_EQ(Reveal(*vault, kPassword), "hunter2");
}

TEST_P(SealTest, ErrorsNeverCarryPlaintext) {
    auto vault = OpenVault();
    Seal(*vault, kPassword, "needle-plaintext-42");
    Sql("UPDATE secrets SET owner_id = 'srv-9'");
    try {
        Reveal(*vault, {"server", "srv-9", "ssh_password"});
        FAIL();
    } catch (const core::Error& e) {
        EXPECT_EQ(std::string(e.what()).find("needle"), std::string::npos);
        EXPECT_EQ(e.internal().find("needle"), std::string::npos);
    }
}

INSTANTIATE_TEST_SUITE_P(Backends, SealTest, ::testing::Values(Backend::sqlite, Backend::postgres),
                         store::test::BackendName);

// The database file (and its WAL) on disk holds only ciphertext.
TEST(VaultFile, SqliteFileHoldsNoPlaintext) {
    char templ[] = "/tmp/gatehouse-vault-file-XXXXXX";
    ASSERT_NE(::mkdtemp(templ), nullptr);
    const std::filesystem::path dir(templ);
    const std::vector<std::string> needles = {"Pl41ntext-Needle-Password-8841", "-----BEGIN OPENSSH PRIVATE KEY-----",
                                              "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ"};
    {
        auto db = store::OpenSqlite((dir / "gatehouse.db").string(), store::SqliteOptions{.readers = 1});
        store::Migrate(*db);
        auto vault = Vault::Open(dir, std::nullopt, *db);
        db->WithTransaction([&](store::Connection& c) {
            vault->Seal(c, {"server", "srv-1", "ssh_password"}, needles[0]);
            vault->Seal(c, {"ssh_key", "key-1", "private_key"}, needles[1] + "\n" + needles[2] + "\n");
        });
        // Check both while the WAL still holds the pages and after a checkpoint.
        // The sealed rows are in the WAL now: the check below looks at real secret-bearing pages.
        EXPECT_GT(std::filesystem::file_size(dir / "gatehouse.db-wal"), 0u);
        for (const char* file : {"gatehouse.db", "gatehouse.db-wal"}) {
            const std::string bytes = ReadFile(dir / file);
            for (const auto& needle : needles) {
                EXPECT_EQ(bytes.find(needle), std::string::npos) << needle << " in " << file;
            }
        }
    }
    const std::string bytes = ReadFile(dir / "gatehouse.db");
    EXPECT_GT(bytes.size(), 0u);
    for (const auto& needle : needles) EXPECT_EQ(bytes.find(needle), std::string::npos) << needle;
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace gatehouse::vault::test
