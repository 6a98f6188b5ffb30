#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "fixtures/pg_fixture.hpp"
#include "store/database.hpp"

namespace gatehouse::store {
namespace {

using gatehouse::testing::SharedPgServer;

// PostgreSQL-only behaviour: connecting, pooling, reconnecting and the types SQLite lacks.
class PostgresTest : public ::testing::Test {
  protected:
    void SetUp() override {
        try {
            url_ = SharedPgServer().CreateDatabase();
        } catch (const std::exception& e) {
            FAIL() << "PostgreSQL fixture: " << e.what();
        }
    }
    void TearDown() override {
        if (!url_.empty()) SharedPgServer().DropDatabase(url_);
    }

    std::string url_;
};

void ExpectNoPassword(const std::string& url) {
    try {
        OpenPostgres(url, PostgresOptions{.connect_timeout_s = 2});
        ADD_FAILURE() << "connected to " << url;
    } catch (const std::runtime_error& e) {
        const std::string what = e.what();
        EXPECT_EQ(what.find("s3cretpw"), std::string::npos) << what;
        EXPECT_NE(what.find("127.0.0.1"), std::string::npos) << what;
    }
}

TEST(PostgresOpenTest, UnreachableServerFailsFastWithoutThePassword) {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    ExpectNoPassword("postgresql://gatehouse:s3cretpw@127.0.0.1:1/postgres");
    ExpectNoPassword("postgres://127.0.0.1:1/postgres?user=gatehouse&password=s3cretpw");
    EXPECT_THROW(Open("postgresql://gatehouse:s3cretpw@127.0.0.1:1/postgres", "", {}, {}), std::runtime_error);
}

TEST(PostgresOpenTest, OpenPicksTheBackendByScheme) {
    try {
        Open("mysql://root:s3cretpw@localhost/db", "", {}, {});
        FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("unsupported database url"), std::string::npos) << what;
        EXPECT_EQ(what.find("s3cretpw"), std::string::npos) << what;
    }
    char templ[] = "/tmp/gatehouse-open-XXXXXX";
    ASSERT_NE(::mkdtemp(templ), nullptr);
    const std::string dir = templ;
    {
        auto db = Open("", dir + "/gatehouse.db", SqliteOptions{.readers = 2}, {});
        EXPECT_EQ(db->dialect(), Dialect::sqlite);
    }
    std::filesystem::remove_all(dir);
    EXPECT_THROW(Open("", "/nonexistent-dir/x/gatehouse.db", {}, {}), std::runtime_error);
}

TEST_F(PostgresTest, OpenByUrl) {
    auto db = Open(url_, "/nonexistent/unused.db", {}, PostgresOptions{.pool_size = 2});
    EXPECT_EQ(db->dialect(), Dialect::postgres);
    EXPECT_EQ(db->Stats().size, 2u);
}

TEST_F(PostgresTest, ServerSideTypesConvert) {
    auto db = OpenPostgres(url_, {});
    db->WithRead([](Connection& c) {
        const ResultSet rs = c.Execute(
            "SELECT true, false, 7::smallint, 8::integer, 1.25::real, 2.5::numeric, 'x'::varchar, "
            "'\\x00ff'::bytea, now()::text IS NOT NULL, 'NaN'::float8");
        const Row& r = rs.rows.at(0);
        EXPECT_EQ(r.Int(0), 1);
        EXPECT_EQ(r.Int(1), 0);
        EXPECT_EQ(r.Int(2), 7);
        EXPECT_EQ(r.Int(3), 8);
        EXPECT_EQ(r.Double(4), 1.25);
        EXPECT_EQ(r.Double(5), 2.5);
        EXPECT_EQ(r.String(6), "x");
        EXPECT_EQ(r.Bytes(7), std::string("\0\xff", 2));
        EXPECT_TRUE(r.Bool(8));
        EXPECT_TRUE(std::isnan(r.Double(9)));
    });
}

TEST_F(PostgresTest, TextParametersCastToTheColumnType) {
    auto db = OpenPostgres(url_, {});
    db->WithTransaction([](Connection& c) {
        c.ExecuteScript("CREATE TABLE t (i INTEGER, b BIGINT, s SMALLINT, n NUMERIC, ts TIMESTAMPTZ)");
        c.Execute("INSERT INTO t VALUES (?, ?, ?, ?, ?)",
                  {Value(std::int64_t{1}), Text("9000000000"), Value(std::int64_t{3}), Text("1.5"),
                   Text("2026-01-02T03:04:05Z")});
        const Row r =
            c.Execute("SELECT i, b, s, n, ts IS NOT NULL FROM t WHERE i = ?", {Value(std::int64_t{1})}).rows.at(0);
        EXPECT_EQ(r.Int(1), 9000000000);
        EXPECT_EQ(r.Int(2), 3);
        EXPECT_EQ(r.Double(3), 1.5);
        EXPECT_TRUE(r.Bool(4));
    });
}

TEST_F(PostgresTest, TextWithNulIsRejected) {
    auto db = OpenPostgres(url_, {});
    try {
        db->WithRead([](Connection& c) { c.Execute("SELECT ?", {Text(std::string("a\0b", 3))}); });
        FAIL() << "no exception";
    } catch (const core::Error& e) {
        EXPECT_EQ(e.code(), core::errc::invalid_argument);
    }
}

// Borrows the pool's only connection on another thread until `release` is set; returns once it holds it.
std::thread HoldTheOnlyConnection(Database& db, std::promise<void>& release) {
    std::promise<void> holding;
    auto held = holding.get_future();
    std::thread holder([&db, &release, holding = std::move(holding)]() mutable {
        db.WithRead([&](Connection&) {
            holding.set_value();
            release.get_future().wait();
        });
    });
    held.wait();
    return holder;
}

TEST_F(PostgresTest, WaitersAreCountedWhenThePoolIsExhausted) {
    auto db = OpenPostgres(url_, PostgresOptions{.pool_size = 1});
    std::promise<void> release;
    std::thread holder = HoldTheOnlyConnection(*db, release);
    std::thread waiter([&] { db->WithRead([](Connection& c) { c.Execute("SELECT 1"); }); });
    for (int i = 0; i < 200 && db->Stats().waiting == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const PoolStats busy = db->Stats();
    EXPECT_EQ(busy.size, 1u);
    EXPECT_EQ(busy.in_use, 1u);
    EXPECT_EQ(busy.waiting, 1u);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    release.set_value();
    holder.join();
    waiter.join();
    const PoolStats after = db->Stats();
    EXPECT_EQ(after.in_use, 0u);
    EXPECT_EQ(after.waiting, 0u);
    EXPECT_GT(after.wait_seconds_total, 0.04);
}

// A stuck statement or an exhausted pool ends in an error, never in an endless wait.
TEST_F(PostgresTest, SessionsHaveAStatementTimeoutAndWaitingForAConnectionIsBounded) {
    auto db =
        OpenPostgres(url_, PostgresOptions{.pool_size = 1, .statement_timeout_ms = 300, .acquire_timeout_ms = 200});
    db->WithRead([](Connection& c) {
        EXPECT_EQ(c.Execute("SHOW statement_timeout").rows.at(0).String(0), "300ms");
        EXPECT_EQ(c.Execute("SHOW application_name").rows.at(0).String(0), "gatehouse");
    });
    const auto started = std::chrono::steady_clock::now();
    try {
        db->WithRead([](Connection& c) { c.Execute("SELECT pg_sleep(5)"); });
        FAIL() << "no exception";
    } catch (const core::Error& e) {
        EXPECT_EQ(e.code(), core::errc::unavailable) << e.internal();
    }
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));

    std::promise<void> release;
    std::thread holder = HoldTheOnlyConnection(*db, release);
    const auto waited_from = std::chrono::steady_clock::now();
    try {
        db->WithRead([](Connection& c) { c.Execute("SELECT 1"); });
        ADD_FAILURE() << "no exception";
    } catch (const core::Error& e) {
        EXPECT_EQ(e.code(), core::errc::unavailable);
    }
    const auto waited = std::chrono::steady_clock::now() - waited_from;
    EXPECT_GE(waited, std::chrono::milliseconds(150));
    EXPECT_LT(waited, std::chrono::seconds(2));
    release.set_value();
    holder.join();
}

// LISTEN on a connection of its own: messages arrive, and a lost connection comes back (with `connected` again,
// so the listener can catch up on what it missed).
TEST_F(PostgresTest, ListenHearsNotificationsAndReconnects) {
    auto db = OpenPostgres(url_, PostgresOptions{.pool_size = 2});
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<std::string> heard;
    int connected = 0, lost = 0;
    ListenCallbacks callbacks;
    callbacks.message = [&](std::string_view payload) {
        std::lock_guard lock(mutex);
        heard.emplace_back(payload);
        changed.notify_all();
    };
    callbacks.connected = [&] {
        std::lock_guard lock(mutex);
        ++connected;
        changed.notify_all();
    };
    callbacks.lost = [&](std::string_view) {
        std::lock_guard lock(mutex);
        ++lost;
    };
    auto subscription = db->Listen("gatehouse_test", callbacks);
    ASSERT_TRUE(subscription);
    const auto wait_for = [&](auto predicate) {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, std::chrono::seconds(10), predicate);
    };
    ASSERT_TRUE(wait_for([&] { return connected == 1; }));
    db->WithTransaction([](Connection& c) { c.Execute("SELECT pg_notify('gatehouse_test', 'one')"); });
    ASSERT_TRUE(wait_for([&] { return heard.size() == 1; }));
    EXPECT_EQ(heard.front(), "one");
    // A rolled-back change is never heard.
    EXPECT_THROW(db->WithTransaction([](Connection& c) {
        c.Execute("SELECT pg_notify('gatehouse_test', 'rolled back')");
        throw std::runtime_error("abort");
    }),
                 std::runtime_error);
    db->WithRead([](Connection& c) {
        c.Execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'gatehouse-listen'");
    });
    ASSERT_TRUE(wait_for([&] { return connected == 2; }));
    db->WithTransaction([](Connection& c) { c.Execute("SELECT pg_notify('gatehouse_test', 'two')"); });
    ASSERT_TRUE(wait_for([&] { return heard.size() == 2; }));
    EXPECT_EQ(heard.back(), "two");
    std::lock_guard lock(mutex);
    EXPECT_GE(lost, 1);
}

TEST_F(PostgresTest, BrokenConnectionIsUnavailableThenReconnects) {
    auto db = OpenPostgres(url_, PostgresOptions{.pool_size = 1});
    std::int64_t pid = 0;
    db->WithRead([&](Connection& c) { pid = c.Execute("SELECT pg_backend_pid()").rows.at(0).Int(0); });
    auto admin = OpenPostgres(SharedPgServer().url(), PostgresOptions{.pool_size = 1});
    admin->WithRead([&](Connection& c) { c.Execute("SELECT pg_terminate_backend(?::int)", {Value(pid)}); });
    // The first use may learn of the loss only by failing; that must read as "unavailable".
    try {
        db->WithRead([](Connection& c) { c.Execute("SELECT 1"); });
    } catch (const core::Error& e) {
        EXPECT_EQ(e.code(), core::errc::unavailable) << e.internal();
    }
    std::int64_t new_pid = 0;
    db->WithRead([&](Connection& c) { new_pid = c.Execute("SELECT pg_backend_pid()").rows.at(0).Int(0); });
    EXPECT_NE(new_pid, pid);
}

TEST_F(PostgresTest, UnfinishedTransactionIsNotLeakedToTheNextBorrower) {
    auto db = OpenPostgres(url_, PostgresOptions{.pool_size = 1});
    db->WithRead([](Connection& c) {
        c.ExecuteScript("CREATE TABLE t (id INTEGER)");
        c.ExecuteScript("BEGIN");
        c.Execute("INSERT INTO t VALUES (1)");
    });
    db->WithRead([](Connection& c) { EXPECT_EQ(c.Execute("SELECT COUNT(*) FROM t").rows.at(0).Int(0), 0); });
}

}  // namespace
}  // namespace gatehouse::store
