#include <boost/json/parse.hpp>

#include "api/audit_handlers.hpp"
#include "audit_fixture.hpp"
#include "core/errc.hpp"

namespace gatehouse::audit::test {
namespace {

class AuditHandlersTest : public AuditTest {
  protected:
    boost::json::value Get(bool events, std::string_view query) {
        http::Request request{http::Verb::get, events ? "/api/v1/audit/events" : "/api/v1/audit/stats", 11};
        http::RequestContext context{.request = request, .path = request.target(), .query = query};
        api::AuditHandlers handlers{log()};
        http::Response response = RunAsync(io_, events ? handlers.Events(context) : handlers.Stats(context));
        EXPECT_EQ(response.result(), http::Status::ok);
        return boost::json::parse(response.body());
    }

    // The detail of the invalid_argument error, or "" when the request succeeded.
    std::string Rejection(bool events, std::string_view query) {
        try {
            Get(events, query);
        } catch (const core::Error& e) {
            EXPECT_EQ(e.code(), core::errc::invalid_argument) << e.what();
            return e.what();
        }
        return "";
    }
};

TEST_P(AuditHandlersTest, EventsPagesThroughFilteredEvents) {
    for (int i = 0; i < 3; ++i) log().Record(MakeEvent("auth.login", At(i)));
    log().Record(MakeEvent("user.create", At(10)));
    log().Flush();

    const auto first = Get(true, "action=auth.%2A&limit=2&since=2026-03-01T09%3A00%3A00Z");
    ASSERT_EQ(first.at("items").as_array().size(), 2u);
    EXPECT_EQ(first.at("items").at(0).at("time"), "2026-03-01T10:00:02.000Z");
    ASSERT_TRUE(first.at("next_cursor").is_string());

    const std::string cursor(first.at("next_cursor").as_string());
    const auto second = Get(true, "action=auth.*&limit=2&cursor=" + cursor);
    ASSERT_EQ(second.at("items").as_array().size(), 1u);
    EXPECT_EQ(second.at("items").at(0).at("time"), "2026-03-01T10:00:00.000Z");
    EXPECT_TRUE(second.at("next_cursor").is_null());

    EXPECT_EQ(Get(true, "").at("items").as_array().size(), 4u);
}

TEST_P(AuditHandlersTest, InvalidParametersAreNamed) {
    EXPECT_NE(Rejection(true, "limit=0").find("limit"), std::string::npos);
    EXPECT_NE(Rejection(true, "limit=501").find("limit"), std::string::npos);
    EXPECT_NE(Rejection(true, "limit=ten").find("limit"), std::string::npos);
    EXPECT_NE(Rejection(true, "limit=5x").find("limit"), std::string::npos);
    EXPECT_NE(Rejection(true, "since=yesterday").find("since"), std::string::npos);
    EXPECT_NE(Rejection(true, "until=2026-13-01T00:00:00Z").find("until"), std::string::npos);
    EXPECT_NE(Rejection(true, "outcome=maybe").find("outcome"), std::string::npos);
    EXPECT_EQ(Rejection(true, "cursor=%21%21"), "malformed cursor");
    EXPECT_NE(Rejection(false, "since=nope").find("since"), std::string::npos);
    EXPECT_NE(Rejection(false, "since=2026-03-02T00:00:00Z&until=2026-03-01T00:00:00Z").find("until"),
              std::string::npos);
    EXPECT_EQ(Rejection(true, "limit=500&outcome=denied"), "");
}

TEST_P(AuditHandlersTest, StatsRendersRows) {
    log().Record(MakeEvent("auth.login", At(0)));
    log().Record(MakeEvent("auth.login", At(1)));
    log().Flush();
    const auto body = Get(false, "until=2030-01-01T00:00:00Z");
    EXPECT_EQ(body, boost::json::parse(
                        R"({"items":[{"day":"2026-03-01","action":"auth.login","outcome":"success","count":2}]})"));
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditHandlersTest, ::testing::Values(Backend::sqlite, Backend::postgres),
                         BackendName);

}  // namespace
}  // namespace gatehouse::audit::test
