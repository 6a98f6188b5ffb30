#include <atomic>
#include <boost/asio/post.hpp>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include "audit_fixture.hpp"
#include "core/ids.hpp"

namespace gatehouse::audit::test {
namespace {

class AuditLogTest : public AuditTest {};

using std::chrono::steady_clock;

TEST_P(AuditLogTest, RecordedEventsRoundTripNewestFirst) {
    Event full = MakeEvent("user.create", At(0), "u-42", "denied");
    full.id = core::NewUuidV7();
    full.actor_name = "alice";
    full.source_ip = "192.0.2.7";
    full.user_agent = "curl/8.0";
    full.resource_type = "user";
    full.resource_id = "u-43";
    full.status = 403;
    full.request_id = "req-1";
    full.details = {{"username", "bob"}, {"roles", {"viewer", "operator"}}, {"nested", {{"n", 1.5}, {"ok", true}}}};
    Event minimal;
    minimal.time = At(1);
    minimal.action = "auth.login";
    log().Record(full);
    log().Record(minimal);
    log().Flush();

    const Page page = Query({});
    ASSERT_EQ(page.items.size(), 2u);
    EXPECT_FALSE(page.next_cursor);
    const Event& newest = page.items[0];
    EXPECT_EQ(newest.action, "auth.login");
    EXPECT_EQ(newest.actor_kind, "anonymous");
    EXPECT_EQ(newest.outcome, "success");
    EXPECT_EQ(newest.id.size(), 36u) << "Record assigns a UUIDv7";
    EXPECT_FALSE(newest.status);
    EXPECT_TRUE(newest.actor_id.empty());
    EXPECT_TRUE(newest.details.empty());
    EXPECT_EQ(newest.time, At(1));

    const Event& e = page.items[1];
    EXPECT_EQ(e.id, full.id);
    EXPECT_EQ(e.time, full.time);
    EXPECT_EQ(e.actor_kind, "user");
    EXPECT_EQ(e.actor_id, "u-42");
    EXPECT_EQ(e.actor_name, "alice");
    EXPECT_EQ(e.source_ip, "192.0.2.7");
    EXPECT_EQ(e.user_agent, "curl/8.0");
    EXPECT_EQ(e.action, "user.create");
    EXPECT_EQ(e.resource_type, "user");
    EXPECT_EQ(e.resource_id, "u-43");
    EXPECT_EQ(e.outcome, "denied");
    EXPECT_EQ(e.status, 403);
    EXPECT_EQ(e.request_id, "req-1");
    EXPECT_EQ(e.details, full.details);

    const boost::json::object json = ToJson(e);
    EXPECT_EQ(json.at("time"), "2026-03-01T10:00:00.000Z");
    EXPECT_EQ(json.at("actor").at("name"), "alice");
    EXPECT_EQ(json.at("resource").at("id"), "u-43");
    EXPECT_EQ(json.at("status"), 403);
    EXPECT_EQ(json.at("details"), full.details);
    EXPECT_TRUE(ToJson(newest).at("status").is_null());
    EXPECT_TRUE(ToJson(newest).at("actor").at("id").is_null());
}

TEST_P(AuditLogTest, RecordStampsTheTimeWhenAbsent) {
    const auto before = core::Clock::now() - std::chrono::milliseconds(1);
    Event event;
    event.action = "app.auto_stop";
    event.actor_kind = "system";
    log().Record(event);
    log().Flush();
    const Page page = Query({});
    ASSERT_EQ(page.items.size(), 1u);
    EXPECT_GE(page.items[0].time, before);
    EXPECT_LE(page.items[0].time, core::Clock::now());
}

TEST_P(AuditLogTest, EventsFromManyThreadsAllLandAndRecordDoesNotWait) {
    constexpr int kThreads = 8;
    constexpr int kPerThread = 250;
    std::vector<std::thread> threads;
    std::vector<double> seconds(kThreads);
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            const auto start = steady_clock::now();
            for (int i = 0; i < kPerThread; ++i) {
                Event event = MakeEvent("load.test", core::Clock::now(), "t" + std::to_string(t));
                event.details = {{"i", i}};
                log().Record(std::move(event));
            }
            seconds[t] = std::chrono::duration<double>(steady_clock::now() - start).count();
        });
    }
    for (auto& thread : threads) thread.join();
    log().Flush();
    EXPECT_EQ(Count("audit_events"), kThreads * kPerThread);
    for (int t = 0; t < kThreads; ++t) EXPECT_LT(seconds[t] / kPerThread, 0.005) << "thread " << t;
}

TEST_P(AuditLogTest, RecordReturnsWhileTheWriterIsBusy) {
    // Occupy every write-pool thread: a Record that wrote inline or waited for the writer would hang.
    std::promise<void> release;
    std::shared_future<void> gate = release.get_future().share();
    const std::size_t writers = db().write_pool().threads();
    for (std::size_t i = 0; i < writers; ++i) boost::asio::post(db().write_pool().executor(), [gate] { gate.wait(); });

    const auto start = steady_clock::now();
    for (int i = 0; i < 100; ++i) log().Record(MakeEvent("busy.test", At(i)));
    EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(1));
    release.set_value();
    log().Flush();
    EXPECT_EQ(Count("audit_events"), 100);
}

TEST_P(AuditLogTest, DestructorFlushes) {
    for (int i = 0; i < 700; ++i) log().Record(MakeEvent("shutdown.test", At(i)));
    log_.reset();
    EXPECT_EQ(Count("audit_events"), 700);
}

TEST_P(AuditLogTest, AFailingBatchIsDroppedAndLaterEventsStillLand) {
    Event first = MakeEvent("dup.test", At(0));
    first.id = core::NewUuidV7();
    log().Record(first);
    log().Flush();

    log().Record(first);  // same id: the primary key rejects it on both attempts
    log().Flush();
    log().Record(MakeEvent("after.test", At(1)));
    log().Flush();
    EXPECT_EQ(Count("audit_events"), 2);
}

TEST_P(AuditLogTest, AnInvalidEventDoesNotTakeItsBatchDown) {
    log().Record(MakeEvent("a.ok", At(0)));
    log().Record(MakeEvent("b.bad", At(1), "u-1", "maybe"));
    log().Record(MakeEvent("c.ok", At(2)));
    log().Flush();
    const Page page = Query({});
    ASSERT_EQ(page.items.size(), 2u);
    EXPECT_EQ(page.items[0].action, "c.ok");
    EXPECT_EQ(page.items[1].action, "a.ok");
}

// While the writer is stuck, events beyond the bound are dropped and counted, never queued without limit.
TEST_P(AuditLogTest, AFullQueueDropsAndCountsInsteadOfGrowing) {
    AuditLog bounded(*db_, 10);
    std::promise<void> release;
    auto released = release.get_future().share();
    std::promise<void> holding;
    std::thread blocker;
    std::unique_ptr<store::Database> other;
    if (GetParam() == Backend::sqlite) {
        // SQLite's one writer thread is busy with something else.
        boost::asio::post(db_->write_pool().executor(), [released, &holding] {
            holding.set_value();
            released.wait();
        });
    } else {
        // Another session holds the table: every insert waits.
        other = OpenAnother(1);
        blocker = std::thread([&other, released, &holding] {
            other->WithTransaction([&](store::Connection& c) {
                c.Execute("LOCK TABLE audit_events IN EXCLUSIVE MODE");
                holding.set_value();
                released.wait();
            });
        });
    }
    holding.get_future().wait();
    for (int i = 0; i < 50; ++i) bounded.Record(MakeEvent("bounded.event", At(i)));
    EXPECT_GE(bounded.dropped(), 30u);
    EXPECT_LE(bounded.queued(), 10u);
    release.set_value();
    if (blocker.joinable()) blocker.join();
    bounded.Flush();
    Filter filter;
    filter.action = "bounded.event";
    filter.limit = 100;
    EXPECT_EQ(Query(filter).items.size(), 50u - bounded.dropped());
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditLogTest, ::testing::Values(Backend::sqlite, Backend::postgres), BackendName);

}  // namespace
}  // namespace gatehouse::audit::test
