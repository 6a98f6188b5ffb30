#include <set>
#include <vector>

#include "audit_fixture.hpp"
#include "core/errc.hpp"
#include "core/ids.hpp"

namespace gatehouse::audit::test {
namespace {

class QueryTest : public AuditTest {};

TEST_P(QueryTest, PagesCoverEverythingOnceNewestFirst) {
    std::vector<std::string> recorded;
    for (int i = 0; i < 120; ++i) {
        // Groups of seven share a timestamp, so the cursor must break ties by id.
        Event event = MakeEvent("page.test", At(i / 7));
        event.id = core::NewUuidV7();
        recorded.push_back(event.id);
        log().Record(std::move(event));
    }
    log().Flush();

    std::vector<std::size_t> sizes;
    std::vector<Event> seen;
    Filter filter;
    filter.limit = 50;
    for (int guard = 0; guard < 10; ++guard) {
        Page page = Query(filter);
        sizes.push_back(page.items.size());
        seen.insert(seen.end(), page.items.begin(), page.items.end());
        if (!page.next_cursor) break;
        filter.cursor = page.next_cursor;
    }
    EXPECT_EQ(sizes, (std::vector<std::size_t>{50, 50, 20}));
    ASSERT_EQ(seen.size(), 120u);
    std::set<std::string> ids;
    for (std::size_t i = 0; i < seen.size(); ++i) {
        ids.insert(seen[i].id);
        if (i > 0) {
            const bool ordered =
                seen[i - 1].time > seen[i].time || (seen[i - 1].time == seen[i].time && seen[i - 1].id > seen[i].id);
            EXPECT_TRUE(ordered) << "item " << i << " is out of order";
        }
    }
    EXPECT_EQ(ids, std::set<std::string>(recorded.begin(), recorded.end()));
}

TEST_P(QueryTest, LimitIsClamped) {
    for (int i = 0; i < 3; ++i) log().Record(MakeEvent("clamp.test", At(i)));
    log().Flush();
    Filter filter;
    filter.limit = 0;
    const Page one = Query(filter);
    EXPECT_EQ(one.items.size(), 1u);
    EXPECT_TRUE(one.next_cursor);
    filter.limit = 100000;
    EXPECT_EQ(Query(filter).items.size(), 3u);
}

TEST_P(QueryTest, Filters) {
    Event login = MakeEvent("auth.login", At(0), "u-1");
    Event failed = MakeEvent("auth.login", At(1), "u-2", "failure");
    Event logout = MakeEvent("auth.logout", At(2), "u-1");
    Event create = MakeEvent("user.create", At(3), "u-2");
    create.resource_type = "user";
    create.resource_id = "u-9";
    Event lookalike = MakeEvent("authx", At(4), "u-3");  // not under "auth."
    for (const auto& e : {login, failed, logout, create, lookalike}) log().Record(e);
    log().Flush();

    auto actions = [this](Filter filter) {
        std::vector<std::string> out;
        for (const auto& e : Query(std::move(filter)).items) out.push_back(e.action + "@" + e.actor_id);
        return out;
    };
    using V = std::vector<std::string>;
    EXPECT_EQ(actions({.actor = "u-1"}), (V{"auth.logout@u-1", "auth.login@u-1"}));
    EXPECT_EQ(actions({.actor = "name-of-u-2"}), (V{"user.create@u-2", "auth.login@u-2"}));
    EXPECT_EQ(actions({.action = "auth.login"}), (V{"auth.login@u-2", "auth.login@u-1"}));
    EXPECT_EQ(actions({.action = "auth.*"}), (V{"auth.logout@u-1", "auth.login@u-2", "auth.login@u-1"}));
    EXPECT_EQ(actions({.action = "AUTH.*"}), V{}) << "prefix match is case-sensitive";
    EXPECT_EQ(actions({.action = "auth.%"}), V{}) << "no LIKE wildcards";
    EXPECT_EQ(actions({.action = "*"}).size(), 5u);
    EXPECT_EQ(actions({.resource_type = "user"}), V{"user.create@u-2"});
    EXPECT_EQ(actions({.resource_id = "u-9"}), V{"user.create@u-2"});
    EXPECT_EQ(actions({.outcome = "failure"}), V{"auth.login@u-2"});
    EXPECT_EQ(actions({.since = At(1), .until = At(3)}), (V{"auth.logout@u-1", "auth.login@u-2"}));
    EXPECT_EQ(actions({.actor = "u-1", .action = "auth.*", .since = At(1)}), V{"auth.logout@u-1"});
    EXPECT_EQ(actions({.actor = "nobody"}), V{});
}

TEST_P(QueryTest, MalformedCursorIsInvalidArgument) {
    for (const std::string cursor : {"", "!!!", "abc", "bm90LWEtY3Vyc29y" /* not-a-cursor */,
                                     "MjAyNi0wMy0wMVQxMDowMDowMFp8eA" /* 2026-03-01T10:00:00Z|x: not canonical */}) {
        try {
            Query({.cursor = cursor});
            ADD_FAILURE() << "accepted cursor '" << cursor << "'";
        } catch (const core::Error& e) {
            EXPECT_EQ(e.code(), core::errc::invalid_argument);
            EXPECT_STREQ(e.what(), "malformed cursor");
        }
    }
}

TEST_P(QueryTest, StatsCountPerDayActionOutcome) {
    const auto day2 = At(24 * 3600);
    log().Record(MakeEvent("auth.login", At(0)));
    log().Record(MakeEvent("auth.login", At(1)));
    log().Record(MakeEvent("auth.login", At(2), "u-1", "failure"));
    log().Record(MakeEvent("user.create", At(3)));
    log().Record(MakeEvent("auth.login", day2));
    log().Flush();

    const auto rows = RunAsync(io_, log().Stats(std::nullopt, std::nullopt));
    ASSERT_EQ(rows.size(), 4u);
    auto text = [](const StatsRow& r) {
        return r.day + " " + r.action + " " + r.outcome + " " + std::to_string(r.count);
    };
    EXPECT_EQ(text(rows[0]), "2026-03-01 auth.login failure 1");
    EXPECT_EQ(text(rows[1]), "2026-03-01 auth.login success 2");
    EXPECT_EQ(text(rows[2]), "2026-03-01 user.create success 1");
    EXPECT_EQ(text(rows[3]), "2026-03-02 auth.login success 1");

    const auto since_day2 = RunAsync(io_, log().Stats(day2, std::nullopt));
    ASSERT_EQ(since_day2.size(), 1u);
    EXPECT_EQ(since_day2[0].day, "2026-03-02");
    EXPECT_EQ(RunAsync(io_, log().Stats(std::nullopt, At(1))).size(), 1u);
}

TEST_P(QueryTest, PurgeRemovesOnlyOlderEvents) {
    for (int i = 0; i < 5; ++i) log().Record(MakeEvent("old.event", At(-86400.0 * (40 + i))));
    for (int i = 0; i < 3; ++i) log().Record(MakeEvent("new.event", At(i)));
    log().Flush();
    EXPECT_EQ(RunAsync(io_, log().Purge(At(-86400.0 * 30))), 5);
    EXPECT_EQ(RunAsync(io_, log().Purge(At(-86400.0 * 30))), 0);
    const Page page = Query({});
    ASSERT_EQ(page.items.size(), 3u);
    for (const auto& e : page.items) EXPECT_EQ(e.action, "new.event");
}

INSTANTIATE_TEST_SUITE_P(Backends, QueryTest, ::testing::Values(Backend::sqlite, Backend::postgres), BackendName);

}  // namespace
}  // namespace gatehouse::audit::test
