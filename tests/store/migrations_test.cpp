#include "store/migrations.hpp"

#include <thread>

#include "core/time.hpp"
#include "fixtures/backend.hpp"

namespace gatehouse::store::test {
namespace {

// Five steps that each create a table, for the runner's own tests.
const Migration kSteps[] = {
    {1, "one", "CREATE TABLE m1 (id INTEGER PRIMARY KEY)", "CREATE TABLE m1 (id INTEGER PRIMARY KEY)"},
    {2, "two", "CREATE TABLE m2 (id INTEGER PRIMARY KEY); INSERT INTO m2 VALUES (1)",
     "CREATE TABLE m2 (id INTEGER PRIMARY KEY); INSERT INTO m2 VALUES (1)"},
    {3, "three", "CREATE TABLE m3 (id INTEGER PRIMARY KEY)", "CREATE TABLE m3 (id INTEGER PRIMARY KEY)"},
    {4, "four", "CREATE TABLE m4 (id INTEGER PRIMARY KEY)", "CREATE TABLE m4 (id INTEGER PRIMARY KEY)"},
    {5, "five", "CREATE TABLE m5 (id INTEGER PRIMARY KEY)", "CREATE TABLE m5 (id INTEGER PRIMARY KEY)"},
};

class MigrationsTest : public BackendTest {};

TEST_P(MigrationsTest, AppliesEverythingOnceAndIsIdempotent) {
    const auto all = AllMigrations();
    ASSERT_FALSE(all.empty());
    const MigrationStatus before = GetMigrationStatus(db());
    EXPECT_EQ(before.current, 0);
    EXPECT_EQ(before.latest, all.back().version);
    EXPECT_FALSE(before.up_to_date());

    EXPECT_EQ(Migrate(db()), static_cast<int>(all.size()));
    const MigrationStatus after = GetMigrationStatus(db());
    EXPECT_EQ(after.current, all.back().version);
    EXPECT_TRUE(after.up_to_date());
    EXPECT_EQ(Migrate(db()), 0);

    db().WithRead([&](Connection& c) {
        const ResultSet rs = c.Execute("SELECT version, name, applied_at FROM schema_migrations ORDER BY version");
        ASSERT_EQ(rs.rows.size(), all.size());
        for (std::size_t i = 0; i < all.size(); ++i) {
            EXPECT_EQ(rs.rows[i].Int(0), all[i].version);
            EXPECT_EQ(rs.rows[i].String(1), all[i].name);
            EXPECT_TRUE(core::ParseRfc3339(rs.rows[i].String(2)).has_value()) << rs.rows[i].String(2);
        }
    });
}

TEST_P(MigrationsTest, InstanceTableIsUsable) {
    Migrate(db());
    db().WithTransaction([](Connection& c) {
        c.Execute("INSERT INTO instance_info (key, value) VALUES (?, ?)", {Text("installation_id"), Text("abc")});
    });
    EXPECT_THROW(db().WithTransaction([](Connection& c) {
        c.Execute("INSERT INTO instance_info (key, value) VALUES (?, ?)", {Text("installation_id"), Text("def")});
    }),
                 core::Error);
    EXPECT_EQ(Count("instance_info"), 1);
}

TEST_P(MigrationsTest, AppliesOnlyTheMissingSteps) {
    EXPECT_EQ(Migrate(db(), std::span(kSteps).first(2)), 2);
    EXPECT_EQ(GetMigrationStatus(db(), kSteps).current, 2);
    EXPECT_FALSE(GetMigrationStatus(db(), kSteps).up_to_date());
    EXPECT_EQ(Migrate(db(), kSteps), 3);
    EXPECT_TRUE(GetMigrationStatus(db(), kSteps).up_to_date());
    EXPECT_EQ(Count("m2"), 1);
}

TEST_P(MigrationsTest, DatabaseNewerThanBinaryThrows) {
    Migrate(db(), kSteps);
    try {
        Migrate(db(), std::span(kSteps).first(3));
        FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "database schema version 5 is newer than this binary (3)");
    }
    const MigrationStatus status = GetMigrationStatus(db(), std::span(kSteps).first(3));
    EXPECT_EQ(status.current, 5);
    EXPECT_EQ(status.latest, 3);
    EXPECT_FALSE(status.up_to_date());
}

TEST_P(MigrationsTest, FailingStepKeepsEarlierOnesAndRollsItselfBack) {
    const Migration broken[] = {
        kSteps[0],
        {2, "broken", "CREATE TABLE half (id INTEGER); SELEKT nonsense",
         "CREATE TABLE half (id INTEGER); SELEKT nonsense"},
    };
    try {
        Migrate(db(), broken);
        FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("migration 2 (broken) failed"), std::string::npos) << e.what();
    }
    EXPECT_EQ(GetMigrationStatus(db(), broken).current, 1);
    EXPECT_THROW(Count("half"), core::Error);  // the step's DDL was rolled back with it
}

TEST_P(MigrationsTest, RejectsABadlyNumberedList) {
    const Migration gap[] = {kSteps[0], kSteps[2]};
    EXPECT_THROW(Migrate(db(), gap), std::runtime_error);
    EXPECT_EQ(GetMigrationStatus(db(), kSteps).current, 0);
}

TEST_P(MigrationsTest, ConcurrentMigratorsApplyEachStepOnce) {
    // Two handles, as two processes starting at once would have.
    std::unique_ptr<Database> other = OpenAnother();
    int applied_a = -1;
    int applied_b = -1;
    std::string error;
    std::thread a([&] {
        try {
            applied_a = Migrate(db(), kSteps);
        } catch (const std::exception& e) {
            error = e.what();
        }
    });
    std::thread b([&] {
        try {
            applied_b = Migrate(*other, kSteps);
        } catch (const std::exception& e) {
            error = e.what();
        }
    });
    a.join();
    b.join();
    EXPECT_EQ(error, "");
    EXPECT_EQ(applied_a + applied_b, 5);
    db().WithRead([&](Connection& c) {
        const ResultSet rs = c.Execute("SELECT COUNT(*), COUNT(DISTINCT version), MAX(version) FROM schema_migrations");
        EXPECT_EQ(rs.rows.at(0).Int(0), 5);
        EXPECT_EQ(rs.rows.at(0).Int(1), 5);
        EXPECT_EQ(rs.rows.at(0).Int(2), 5);
    });
    EXPECT_TRUE(GetMigrationStatus(*other, kSteps).up_to_date());
}

INSTANTIATE_TEST_SUITE_P(Backends, MigrationsTest, ::testing::Values(Backend::sqlite, Backend::postgres), BackendName);

}  // namespace
}  // namespace gatehouse::store::test
