// The settings every monitoring session runs with, read back from a real PostgreSQL (tests/fixtures/pg.sh).
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <string>

#include "fixtures/pg_fixture.hpp"
#include "fixtures/run_async.hpp"
#include "pgmon/connection_pools.hpp"

namespace gatehouse::pgmon {
namespace {

Endpoint FixtureEndpoint(const std::string& url) {
    // postgresql://gatehouse@127.0.0.1:PORT/postgres; the fixture trusts local logins.
    Endpoint e;
    e.server_id = "s1";
    e.host = "127.0.0.1";
    const auto colon = url.rfind(':');
    e.port = std::stoi(url.substr(colon + 1, url.find('/', colon) - colon - 1));
    e.user = "gatehouse";
    e.database = "postgres";
    e.sslmode = "disable";
    return e;
}

struct Harness {
    boost::asio::io_context io;
    core::WorkerPool workers{"pg-test", 2, 16};
    ssh::SshClient ssh{workers, {}};
    ConnectionPools pools{workers, ssh, {}};
    ~Harness() { workers.Join(); }
};

TEST(MonitoringSession, RunsReadOnlyWithItsNameAndTimeouts) {
    Harness h;
    const Endpoint endpoint = FixtureEndpoint(testing::SharedPgServer().url());
    const auto settings = testing::RunAsync(h.io, h.pools.Run(endpoint, [](Session& s) {
        const auto results =
            s.Run({{"test_settings",
                    "SELECT current_setting('application_name'), current_setting('statement_timeout'), "
                    "current_setting('lock_timeout'), "
                    "current_setting('default_transaction_read_only'), "
                    "current_setting('transaction_read_only')",
                    {}}});
        const Rows rows(results[0].get());
        return rows.Str(0, 0) + "|" + rows.Str(0, 1) + "|" + rows.Str(0, 2) + "|" + rows.Str(0, 3) + "|" +
               rows.Str(0, 4);
    }));
    EXPECT_EQ(settings, "gatehouse-monitor|5s|1s|on|on");

    // A write is refused by PostgreSQL itself, and the connection stays usable and out of any transaction.
    try {
        testing::RunAsync(h.io, h.pools.Run(endpoint, [](Session& s) {
            s.Query("CREATE TABLE gatehouse_must_not_exist (n int)");
            return 0;
        }));
        FAIL() << "a monitoring session wrote";
    } catch (const core::Error& error) {
        EXPECT_EQ(error.kind(), "query_failed");
        EXPECT_NE(std::string(error.what()).find("read-only"), std::string::npos) << error.what();
    }
    const auto again = testing::RunAsync(h.io, h.pools.Run(endpoint, [](Session& s) {
        const auto result = s.Query("SELECT count(*) FROM pg_class WHERE relname = 'gatehouse_must_not_exist'");
        return Rows(result.get()).Str(0, 0);
    }));
    EXPECT_EQ(again, "0");
    const auto rows = h.pools.Rows();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].created_total, 1u);  // the failed statement did not cost the connection
    EXPECT_EQ(rows[0].idle, 1);
}

TEST(MonitoringSession, PreparedStatementsSurviveAFailedPipeline) {
    Harness h;
    const Endpoint endpoint = FixtureEndpoint(testing::SharedPgServer().url());
    // The second statement fails: the first one's preparation stays, the pipeline ends, the next call works.
    try {
        testing::RunAsync(h.io, h.pools.Run(endpoint, [](Session& s) {
            s.Run({{"test_one", "SELECT 1", {}}, {"test_bad", "SELECT 1/0", {}}});
            return 0;
        }));
        FAIL() << "division by zero succeeded";
    } catch (const core::Error& error) {
        EXPECT_EQ(error.kind(), "query_failed");
    }
    const auto value = testing::RunAsync(h.io, h.pools.Run(endpoint, [](Session& s) {
        const auto results = s.Run({{"test_one", "SELECT 1", {}}, {"test_two", "SELECT $1::int + 1", {"41"}}});
        return Rows(results[0].get()).Str(0, 0) + "," + Rows(results[1].get()).Str(0, 0);
    }));
    EXPECT_EQ(value, "1,42");
    EXPECT_EQ(h.pools.Rows()[0].created_total, 1u);
}

}  // namespace
}  // namespace gatehouse::pgmon

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    ::testing::AddGlobalTestEnvironment(new gatehouse::testing::PgEnvironment);  // gtest owns it
    return RUN_ALL_TESTS();
}
