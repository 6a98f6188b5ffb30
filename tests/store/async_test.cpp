#include <atomic>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <thread>

#include "fixtures/backend.hpp"

namespace gatehouse::store::test {
namespace {

namespace asio = boost::asio;

class AsyncTest : public BackendTest {
  protected:
    void SetUp() override {
        BackendTest::SetUp();
        if (HasFatalFailure()) return;
        CreateTables("CREATE TABLE events (id INTEGER PRIMARY KEY, writer INTEGER NOT NULL, seq INTEGER NOT NULL)");
    }

    asio::io_context io_;
};

struct Threads {
    std::thread::id before, inside, after;
    std::int64_t value = 0;
};

TEST_P(AsyncTest, ReadResumesOnTheCallersThread) {
    const Threads t = RunAsync(io_, [this]() -> asio::awaitable<Threads> {
        Threads t;
        t.before = std::this_thread::get_id();
        t.value = co_await db().Read([&t](Connection& c) {
            t.inside = std::this_thread::get_id();
            return c.Execute("SELECT ?", {Value(std::int64_t{41})}).rows.at(0).Int(0) + 1;
        });
        t.after = std::this_thread::get_id();
        co_return t;
    }());
    EXPECT_EQ(t.value, 42);
    EXPECT_EQ(t.before, std::this_thread::get_id());
    EXPECT_EQ(t.after, std::this_thread::get_id()) << "resumed on a pool thread";
    EXPECT_NE(t.inside, std::this_thread::get_id()) << "the query ran on the I/O thread";
}

TEST_P(AsyncTest, WriteCommitsAndReturnsItsValue) {
    const std::thread::id io_thread = std::this_thread::get_id();
    const std::int64_t affected = RunAsync(io_, [&]() -> asio::awaitable<std::int64_t> {
        const std::int64_t n = co_await db().Write([&](Connection& c) {
            EXPECT_NE(std::this_thread::get_id(), io_thread);
            return c.Execute("INSERT INTO events (id, writer, seq) VALUES (1, 0, 0)").affected;
        });
        EXPECT_EQ(std::this_thread::get_id(), io_thread);
        co_return n;
    }());
    EXPECT_EQ(affected, 1);
    EXPECT_EQ(Count("events"), 1);
}

TEST_P(AsyncTest, WriteThatThrowsRollsBackAndRethrows) {
    EXPECT_THROW(RunAsync(io_,
                          [&]() -> asio::awaitable<int> {
                              co_await db().Write([](Connection& c) {
                                  c.Execute("INSERT INTO events (id, writer, seq) VALUES (1, 0, 0)");
                                  throw std::runtime_error("boom");
                              });
                              co_return 0;
                          }()),
                 std::runtime_error);
    EXPECT_EQ(Count("events"), 0);

    // Errors from the SQL layer arrive as core::Error with their code intact.
    RunAsync(io_, [&]() -> asio::awaitable<int> {
        co_await db().Write([](Connection& c) { c.Execute("INSERT INTO events (id, writer, seq) VALUES (1, 0, 0)"); });
        try {
            co_await db().Write(
                [](Connection& c) { c.Execute("INSERT INTO events (id, writer, seq) VALUES (1, 0, 0)"); });
            ADD_FAILURE() << "duplicate insert succeeded";
        } catch (const core::Error& e) {
            EXPECT_EQ(e.code(), core::errc::already_exists);
        }
        co_return 0;
    }());
}

TEST_P(AsyncTest, ConcurrentWritersAllLand) {
    constexpr int kWriters = 8;
    constexpr int kInserts = 50;
    std::atomic<int> done{0};
    std::atomic<int> failures{0};
    for (int w = 0; w < kWriters; ++w) {
        asio::co_spawn(
            io_,
            [&, w]() -> asio::awaitable<void> {
                for (int i = 0; i < kInserts; ++i) {
                    co_await db().Write([w, i](Connection& c) {
                        c.Execute("INSERT INTO events (id, writer, seq) VALUES (?, ?, ?)",
                                  {Value(std::int64_t{w * 1000 + i}), Value(std::int64_t{w}), Value(std::int64_t{i})});
                    });
                    // Interleave reads so that readers and the writer run at the same time.
                    if (i % 10 == 0)
                        co_await db().Read([](Connection& c) { return c.Execute("SELECT COUNT(*) FROM events"); });
                }
                ++done;
            },
            [&](std::exception_ptr e) {
                if (e) ++failures;
            });
    }
    io_.run();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(done.load(), kWriters);
    EXPECT_EQ(Count("events"), kWriters * kInserts);
    db().WithRead([&](Connection& c) {
        const ResultSet rs = c.Execute("SELECT writer, COUNT(*) AS n FROM events GROUP BY writer ORDER BY writer");
        ASSERT_EQ(rs.rows.size(), static_cast<std::size_t>(kWriters));
        for (const Row& row : rs.rows) EXPECT_EQ(row.Int(1), kInserts);
    });
    EXPECT_EQ(db().Stats().in_use, 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, AsyncTest, ::testing::Values(Backend::sqlite, Backend::postgres), BackendName);

}  // namespace
}  // namespace gatehouse::store::test
