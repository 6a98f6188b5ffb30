#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <thread>

#include "ssh/ssh_client.hpp"
#include "tasks/live.hpp"
#include "tasks/remote_commands.hpp"

namespace gatehouse::tasks {
namespace {

TEST(PidAnnouncement, IsTakenOutOfStderrEvenWhenSplit) {
    PidAnnouncement a;
    EXPECT_EQ(a.Feed("\036gatehouse-"), "");
    EXPECT_EQ(a.Feed("pid 4242\nreal stderr"), "real stderr");
    EXPECT_EQ(a.pid(), 4242);
    EXPECT_EQ(a.Feed("\036gatehouse-pid 1\n"), "\036gatehouse-pid 1\n");  // only the first line is ours
}

TEST(PidAnnouncement, OtherStderrPassesUntouched) {
    PidAnnouncement a;
    EXPECT_EQ(a.Feed("error: x\n"), "error: x\n");
    EXPECT_FALSE(a.pid());
    PidAnnouncement b;
    EXPECT_EQ(b.Feed("\036gat"), "");
    EXPECT_EQ(b.Flush(), "\036gat");
    PidAnnouncement c;
    EXPECT_EQ(c.Feed("\036gatehouse-pid nonsense\nrest"), "rest");
    EXPECT_FALSE(c.pid());
}

TEST(RemoteCommands, KeyResultIsTheLastLine) {
    EXPECT_EQ(ParseKeyResult("added\n"), "added");
    EXPECT_EQ(ParseKeyResult("noise\nalready_present\n"), "already_present");
    EXPECT_EQ(ParseKeyResult("removed"), "removed");
    EXPECT_EQ(ParseKeyResult("absent\r\n"), "absent");
    EXPECT_FALSE(ParseKeyResult("added and more\n"));
    EXPECT_FALSE(ParseKeyResult(""));
}

TEST(RemoteCommands, UserTextIsAlwaysOneQuotedArgument) {
    const std::string path = "/srv/a b/$(touch /tmp/pwned)/'; rm -rf ~ #";
    const std::string compose = ComposeCommand(path, true);
    EXPECT_EQ(compose.rfind("cd -- " + ssh::ShellQuote(path) + " && ", 0), 0u) << compose;
    EXPECT_NE(compose.find("docker compose up -d"), std::string::npos);
    EXPECT_NE(compose.find("docker-compose up -d"), std::string::npos);
    EXPECT_NE(ComposeCommand("/x", false).find("docker compose down"), std::string::npos);
    // In the home directory: $HOME expands on the remote side, the rest is still one quoted argument.
    EXPECT_EQ(ComposeCommand("~/apps/a b;$(id)", true)
                  .rfind("cd -- \"$HOME\"/" + ssh::ShellQuote("apps/a b;$(id)") + " && ", 0),
              0u);
    EXPECT_EQ(ComposeCommand("~", true).rfind("cd -- \"$HOME\" && ", 0), 0u);
    EXPECT_EQ(ComposeCommand("~user/x", true).rfind("cd -- " + ssh::ShellQuote("~user/x"), 0), 0u);
    const std::string line = "ssh-ed25519 AAAA $(id)'`id`";
    const std::string edit = KeyEditCommand(true, line);
    EXPECT_EQ(edit.substr(edit.size() - ssh::ShellQuote(line).size()), ssh::ShellQuote(line));
    EXPECT_NE(edit.find(" gatehouse-keys deploy "), std::string::npos);
    const std::string wrapped = WrapKillable("echo 'hi'");
    EXPECT_EQ(wrapped.substr(wrapped.size() - ssh::ShellQuote("echo 'hi'").size()), ssh::ShellQuote("echo 'hi'"));
    EXPECT_EQ(KillGroupCommand(77).find("kill -TERM -- -77"), 0u);
}

TEST(TaskRun, EveryWatcherGetsEveryEventInOrder) {
    boost::asio::io_context io;
    TaskRun run;
    std::vector<std::shared_ptr<Watcher>> watchers;
    for (int i = 0; i < 3; ++i) watchers.push_back(run.Subscribe(io.get_executor(), 1 << 20).watcher);
    for (int i = 0; i < 5; ++i) run.AddOutput("s", 1, "x" + std::to_string(i), "t", true);
    std::vector<std::vector<std::int64_t>> seen(3);
    for (int k = 0; k < 3; ++k) {
        boost::asio::co_spawn(
            io,
            [&, k]() -> boost::asio::awaitable<void> {
                auto events = co_await watchers[k]->Next();
                for (const auto& e : events) seen[k].push_back(e->chunk.seq);
            },
            boost::asio::detached);
    }
    io.run();
    for (const auto& s : seen) EXPECT_EQ(s, (std::vector<std::int64_t>{1, 2, 3, 4, 5}));
    // A second round reaches the same watchers again (none was lost from the list).
    run.AddOutput("s", 2, "again", "t", true);
    io.restart();
    std::vector<std::size_t> counts(3);
    for (int k = 0; k < 3; ++k) {
        boost::asio::co_spawn(
            io, [&, k]() -> boost::asio::awaitable<void> { counts[k] = (co_await watchers[k]->Next()).size(); },
            boost::asio::detached);
    }
    io.run();
    EXPECT_EQ(counts, (std::vector<std::size_t>{1, 1, 1}));
}

// A producer held back by a full, unwritten backlog (a stuck store) is let go at its target's deadline and on a
// cancel, so the command's own timeout and cancel still work.
TEST(TaskRun, BackPressureEndsAtTheDeadlineAndOnCancel) {
    using Clock = std::chrono::steady_clock;
    TaskRun run;
    run.AddOutput("s", 1, std::string(std::size_t{9} << 20, 'x'), "t", false);  // more than the backlog bound
    auto started = Clock::now();
    run.AddOutput("s", 1, "late", "t", true, started + std::chrono::milliseconds(300));
    auto waited = Clock::now() - started;
    EXPECT_GE(waited, std::chrono::milliseconds(280));
    EXPECT_LT(waited, std::chrono::seconds(3));

    std::thread canceller([&run] {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        run.cancel->store(true);
    });
    started = Clock::now();
    run.AddOutput("s", 1, "after cancel", "t", true);  // no deadline: only the cancel ends the wait
    waited = Clock::now() - started;
    canceller.join();
    EXPECT_LT(waited, std::chrono::seconds(3));
    EXPECT_EQ(run.PeekUnstored(SIZE_MAX).size(), 3u);
}

TEST(TaskRun, AWaitingWatcherWakesAndASlowOneOverflows) {
    boost::asio::io_context io;
    TaskRun run;
    auto fast = run.Subscribe(io.get_executor(), 1 << 20).watcher;
    auto slow = run.Subscribe(io.get_executor(), 1000).watcher;
    std::size_t woke_with = 0;
    boost::asio::co_spawn(
        io, [&]() -> boost::asio::awaitable<void> { woke_with = (co_await fast->Next()).size(); },
        boost::asio::detached);
    io.poll();  // parked in Next
    EXPECT_EQ(woke_with, 0u);
    run.AddOutput("s", 1, std::string(2000, 'a'), "t", true);
    io.run();
    EXPECT_EQ(woke_with, 1u);
    EXPECT_FALSE(fast->overflowed());
    EXPECT_TRUE(slow->overflowed());
    bool stopped = false;
    io.restart();
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
            auto events = co_await fast->Next();
            stopped = events.empty();
        },
        boost::asio::detached);
    io.poll();
    fast->Stop();
    io.run();
    EXPECT_TRUE(stopped);
}

TEST(TaskRun, UnstoredChunksStayVisibleUntilStored) {
    boost::asio::io_context io;
    TaskRun run;
    run.AddOutput("a", 1, "one", "t", true);
    run.AddOutput("b", 2, "two", "t", true);
    auto batch = run.PeekUnstored(1);
    ASSERT_EQ(batch.size(), 1u);  // at least one, even over the byte limit
    EXPECT_EQ(run.Subscribe(io.get_executor(), 1 << 20).unstored.size(), 2u);
    run.MarkStored(batch.back().seq);
    const auto late = run.Subscribe(io.get_executor(), 1 << 20);
    ASSERT_EQ(late.unstored.size(), 1u);
    EXPECT_EQ(late.unstored[0].data, "two");
    EXPECT_EQ(late.unstored[0].seq, 2);
    run.finished = true;
    EXPECT_EQ(run.Subscribe(io.get_executor(), 1 << 20).watcher, nullptr);
}

}  // namespace
}  // namespace gatehouse::tasks
