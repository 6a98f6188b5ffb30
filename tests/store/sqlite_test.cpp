#include <gtest/gtest.h>

#include <filesystem>

#include "store/database.hpp"

namespace gatehouse::store {
namespace {

// SQLite-only behaviour: locking between handles and the read-only readers.
class SqliteTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char templ[] = "/tmp/gatehouse-sqlite-XXXXXX";
        ASSERT_NE(::mkdtemp(templ), nullptr);
        dir_ = templ;
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::string path() const { return dir_ + "/test.db"; }

    std::string dir_;
};

TEST_F(SqliteTest, BusyWriterIsUnavailable) {
    auto a = OpenSqlite(path(), SqliteOptions{.readers = 1});
    // A second handle (another process, in real life) with a short busy timeout.
    auto b = OpenSqlite(path(), SqliteOptions{.readers = 1, .busy_timeout_ms = 50});
    a->WithTransaction([&](Connection&) {
        try {
            b->WithTransaction([](Connection& c) { c.Execute("CREATE TABLE x (id INTEGER)"); });
            ADD_FAILURE() << "second writer was not blocked";
        } catch (const core::Error& e) {
            EXPECT_EQ(e.code(), core::errc::unavailable) << e.internal();
            EXPECT_STREQ(e.what(), "database is busy");
        }
    });
    b->WithTransaction([](Connection& c) { c.Execute("CREATE TABLE x (id INTEGER)"); });
}

TEST_F(SqliteTest, ReadersCannotWrite) {
    auto db = OpenSqlite(path(), SqliteOptions{.readers = 2});
    db->WithTransaction([](Connection& c) { c.Execute("CREATE TABLE x (id INTEGER)"); });
    EXPECT_THROW(db->WithRead([](Connection& c) { c.Execute("INSERT INTO x VALUES (1)"); }), core::Error);
    db->WithRead([](Connection& c) { EXPECT_EQ(c.Execute("SELECT COUNT(*) FROM x").rows.at(0).Int(0), 0); });
}

TEST_F(SqliteTest, UsesWalAndForeignKeys) {
    auto db = OpenSqlite(path(), SqliteOptions{.readers = 1});
    db->WithRead([](Connection& c) {
        EXPECT_EQ(c.Execute("PRAGMA journal_mode").rows.at(0).String(0), "wal");
        EXPECT_EQ(c.Execute("PRAGMA foreign_keys").rows.at(0).Int(0), 1);
    });
    db->WithTransaction([](Connection& c) { EXPECT_EQ(c.Execute("PRAGMA foreign_keys").rows.at(0).Int(0), 1); });
}

TEST_F(SqliteTest, ExecuteRejectsSeveralStatements) {
    auto db = OpenSqlite(path(), SqliteOptions{.readers = 1});
    EXPECT_THROW(db->WithRead([](Connection& c) { c.Execute("SELECT 1; SELECT 2"); }), core::Error);
    EXPECT_THROW(db->WithRead([](Connection& c) { c.Execute("SELECT ?"); }), core::Error);  // missing parameter
    db->WithRead([](Connection& c) { EXPECT_EQ(c.Execute("SELECT 1;  ").rows.size(), 1u); });
}

TEST_F(SqliteTest, UnopenablePathThrows) {
    EXPECT_THROW(OpenSqlite(dir_ + "/missing-dir/test.db", {}), std::runtime_error);
}

}  // namespace
}  // namespace gatehouse::store
