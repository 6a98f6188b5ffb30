#include "api/refusal_summary.hpp"

#include "audit_fixture.hpp"
#include "http/router.hpp"

namespace gatehouse::audit::test {
namespace {

class RefusalSummaryTest : public AuditTest {};

using Clock = api::RefusalSummary::Clock;
using namespace std::chrono_literals;

http::Route MakeRoute(std::string pattern) {
    return http::Route(
        http::Verb::get, std::move(pattern), http::Access::kViewer,
        [](http::RequestContext&) -> boost::asio::awaitable<http::Response> { co_return http::Response{}; }, "test");
}

// 5,000 refusals from one address on two routes are two events now and two summaries with their counts later.
TEST_P(RefusalSummaryTest, RepeatedRefusalsAreOneEventAndOneSummaryPerWindow) {
    api::RefusalSummary summary(log(), 60s);
    const auto servers = MakeRoute("/api/v1/servers");
    const auto users = MakeRoute("/api/v1/users");
    const auto t0 = Clock::now();
    std::size_t firsts = 0;
    for (int i = 0; i < 5000; ++i) {
        const auto& route = i % 2 ? servers : users;
        firsts += summary.First("192.0.2.1", route, 401, t0 + std::chrono::milliseconds(i)) ? 1 : 0;
    }
    EXPECT_EQ(firsts, 2u);
    EXPECT_TRUE(summary.First("192.0.2.2", servers, 401, t0));  // another address has a window of its own
    EXPECT_TRUE(summary.First("192.0.2.1", servers, 403, t0));  // so has another status
    summary.Flush(t0 + 30s);
    log().Flush();
    Filter refusals;
    refusals.action = "http.refusals";
    EXPECT_TRUE(Query(refusals).items.empty());  // windows not over yet
    summary.Flush(t0 + 61s);
    log().Flush();
    const auto page = Query(refusals);
    ASSERT_EQ(page.items.size(), 2u);  // the windows with repeats; the single refusals needed no summary
    std::int64_t counted = 0;
    for (const auto& event : page.items) {
        EXPECT_EQ(event.source_ip, "192.0.2.1");
        EXPECT_EQ(event.outcome, "denied");
        counted += event.details.at("count").as_int64();
    }
    EXPECT_EQ(counted, 4998);
    EXPECT_EQ(summary.tracked(), 0u);
    // After the window a refusal is recorded again.
    EXPECT_TRUE(summary.First("192.0.2.1", servers, 401, t0 + 62s));
}

TEST_P(RefusalSummaryTest, ManyAddressesShareOneWindowBeyondTheBound) {
    api::RefusalSummary summary(log(), 60s, 100);
    const auto route = MakeRoute("/api/v1/servers");
    const auto t0 = Clock::now();
    std::size_t firsts = 0;
    for (int i = 0; i < 10000; ++i)
        firsts += summary.First("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256), route, 401, t0);
    EXPECT_EQ(firsts, 100u);
    EXPECT_LE(summary.tracked(), 101u);
    summary.Flush(t0, true);
    log().Flush();
    Filter refusals;
    refusals.action = "http.refusals";
    const auto page = Query(refusals);
    ASSERT_EQ(page.items.size(), 1u);
    EXPECT_EQ(page.items[0].source_ip, "*");
    EXPECT_EQ(page.items[0].details.at("count").as_int64(), 9900);
}

INSTANTIATE_TEST_SUITE_P(Backends, RefusalSummaryTest, ::testing::Values(Backend::sqlite, Backend::postgres),
                         BackendName);

}  // namespace
}  // namespace gatehouse::audit::test
