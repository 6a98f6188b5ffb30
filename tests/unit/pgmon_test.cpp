#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "http/problem.hpp"
#include "pgmon/failure.hpp"
#include "pgmon/prometheus_export.hpp"

namespace gatehouse::pgmon {
namespace {

TEST(PgmonFailure, ConnectMessagesMapToKinds) {
    EXPECT_EQ(ClassifyConnectFailure("connection to server at \"127.0.0.1\", port 5 failed: FATAL:  password "
                                     "authentication failed for user \"monitor\""),
              FailureKind::auth_failed);
    EXPECT_EQ(ClassifyConnectFailure("FATAL:  no pg_hba.conf entry for host \"10.0.0.1\""), FailureKind::auth_failed);
    EXPECT_EQ(ClassifyConnectFailure("FATAL:  role \"x\" does not exist"), FailureKind::auth_failed);
    EXPECT_EQ(ClassifyConnectFailure("timeout expired"), FailureKind::timeout);
    EXPECT_EQ(ClassifyConnectFailure("connection to server at \"127.0.0.1\", port 1 failed: Connection refused"),
              FailureKind::unreachable);
    EXPECT_EQ(ClassifyConnectFailure("could not translate host name \"nowhere\" to address"), FailureKind::unreachable);
}

TEST(PgmonFailure, SqlStatesMapToKinds) {
    EXPECT_EQ(ClassifyQueryFailure("57014"), FailureKind::timeout);  // statement_timeout
    EXPECT_EQ(ClassifyQueryFailure("55P03"), FailureKind::timeout);  // lock_timeout
    EXPECT_EQ(ClassifyQueryFailure("42501"), FailureKind::insufficient_privilege);
    EXPECT_EQ(ClassifyQueryFailure("08006"), FailureKind::unreachable);
    EXPECT_EQ(ClassifyQueryFailure("57P01"), FailureKind::unreachable);
    EXPECT_FALSE(ClassifyQueryFailure("42883").has_value());  // a query of ours PostgreSQL does not know
}

TEST(PgmonFailure, ProblemsCarryStatusAndKind) {
    const auto check = [](FailureKind kind, int status, std::string_view name) {
        const auto response = http::ProblemFor(Failure(kind, "detail"));
        EXPECT_EQ(static_cast<int>(response.result()), status) << name;
        const auto body = boost::json::parse(response.body()).as_object();
        EXPECT_EQ(body.at("kind").as_string(), name);
        EXPECT_EQ(body.at("detail").as_string(), "detail");
    };
    check(FailureKind::unreachable, 502, "unreachable");
    check(FailureKind::auth_failed, 502, "auth_failed");
    check(FailureKind::insufficient_privilege, 502, "insufficient_privilege");
    check(FailureKind::tunnel_failed, 502, "tunnel_failed");
    check(FailureKind::timeout, 503, "timeout");
    check(FailureKind::not_configured, 409, "not_configured");
    EXPECT_EQ(CleanMessage("ERROR:  canceling statement due to statement timeout\n"),
              "canceling statement due to statement timeout");
}

TEST(PgmonExport, FamiliesAreWrittenOnceForEveryServer) {
    Exposition out;
    const auto stats = boost::json::parse(R"({
        "version": "PostgreSQL 15.8 (Debian 15.8-0+deb12u1) on x86_64", "started_at": "2026-12-04T10:00:00.000Z",
        "uptime_s": 60, "connections": {"used": 3, "max": 100, "reserved": 3},
        "databases": [{"name": "app", "oid": 16384, "size_bytes": 8000, "numbackends": 2, "xact_commit": 10,
                       "xact_rollback": 1, "blks_read": 5, "blks_hit": 95, "cache_hit_ratio": 0.95,
                       "tup_returned": 1, "tup_fetched": 1, "tup_inserted": 1, "tup_updated": 1, "tup_deleted": 1,
                       "conflicts": 0, "temp_files": 0, "temp_bytes": 0, "deadlocks": 0}],
        "checkpointer": {"checkpoints_timed": 4, "checkpoints_req": 1},
        "wal": {"lsn": "0/16B3748", "bytes": 23803720, "bytes_per_s": 100.5},
        "replication": {"role": "primary", "standbys": []},
        "wraparound": {"oldest_xact_age": 2, "max_frozenxid_age": 700}})")
                           .as_object();
    ExportServer(out, "server=\"a\"", &stats, nullptr, "");
    ExportServer(out, "server=\"b\"", nullptr, nullptr, "unreachable");
    const std::string text = out.Render();
    EXPECT_NE(text.find("pg_up{server=\"a\"} 1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("pg_up{server=\"b\"} 0\n"), std::string::npos) << text;
    EXPECT_NE(text.find("pg_stat_database_xact_commit{server=\"a\",datid=\"16384\",datname=\"app\"} 10\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("pg_static{server=\"a\",short_version=\"15.8\""), std::string::npos) << text;
    EXPECT_NE(text.find("gatehouse_pg_scrape_failure{server=\"b\",kind=\"unreachable\"} 1"), std::string::npos);
    // One HELP/TYPE per family, however many servers.
    std::size_t count = 0;
    for (auto pos = text.find("# TYPE pg_up "); pos != std::string::npos; pos = text.find("# TYPE pg_up ", pos + 1))
        ++count;
    EXPECT_EQ(count, 1u);
}

}  // namespace
}  // namespace gatehouse::pgmon
