#include "core/scheduler.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <stdexcept>
#include <thread>

namespace gatehouse::core {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

asio::awaitable<void> Sleep(std::chrono::milliseconds d) {
    asio::steady_timer timer(co_await asio::this_coro::executor, d);
    co_await timer.async_wait(asio::use_awaitable);
}

TEST(SchedulerTest, RunsAJobRepeatedly) {
    asio::io_context io;
    Scheduler scheduler(io.get_executor());
    int runs = 0;
    scheduler.Every("tick", 20ms, [&runs]() -> asio::awaitable<void> {
        ++runs;
        co_return;
    });
    io.run_for(500ms);
    EXPECT_GE(runs, 3);
    EXPECT_LE(runs, 26) << "ran more often than every 20 ms";
}

TEST(SchedulerTest, AThrowingJobKeepsBeingScheduled) {
    asio::io_context io;
    Scheduler scheduler(io.get_executor());
    int runs = 0;
    scheduler.Every("fails", 20ms, [&runs]() -> asio::awaitable<void> {
        ++runs;
        throw std::runtime_error("job failed on purpose");
        co_return;
    });
    io.run_for(300ms);
    EXPECT_GE(runs, 3);
}

TEST(SchedulerTest, StopEndsTheLoops) {
    asio::io_context io;
    Scheduler scheduler(io.get_executor());
    int runs = 0;
    scheduler.Every("tick", 10ms, [&runs]() -> asio::awaitable<void> {
        ++runs;
        co_return;
    });
    scheduler.Every(
        "later", 1h, []() -> asio::awaitable<void> { co_return; }, 1h);
    io.run_for(100ms);
    const int before = runs;
    EXPECT_GE(before, 1);
    scheduler.Stop();
    // With every loop gone, run() has no work left and returns at once instead of waiting an hour.
    const auto start = std::chrono::steady_clock::now();
    io.restart();
    io.run();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
    EXPECT_EQ(runs, before);
}

TEST(SchedulerTest, FirstDelayAndNoOverlap) {
    asio::io_context io;
    Scheduler scheduler(io.get_executor());
    int runs = 0;
    int running = 0;
    int max_running = 0;
    const auto start = std::chrono::steady_clock::now();
    std::chrono::steady_clock::duration first_run{};
    scheduler.Every(
        "slow", 1ms,
        [&]() -> asio::awaitable<void> {
            if (runs++ == 0) first_run = std::chrono::steady_clock::now() - start;
            max_running = std::max(max_running, ++running);
            co_await Sleep(30ms);
            --running;
        },
        100ms);
    io.run_for(400ms);
    EXPECT_GE(first_run, 100ms);
    EXPECT_GE(runs, 2);
    EXPECT_LE(runs, 11) << "a 30 ms job cannot run more than ~10 times in 300 ms";
    EXPECT_EQ(max_running, 1);
}

TEST(SchedulerTest, StopFromAnotherThreadWhileRunning) {
    asio::io_context io;
    auto work = asio::make_work_guard(io);
    std::thread runner([&io] { io.run(); });
    std::atomic<int> runs{0};
    {
        Scheduler scheduler(io.get_executor());
        for (int i = 0; i < 4; ++i) {
            scheduler.Every("job" + std::to_string(i), 1ms, [&runs]() -> asio::awaitable<void> {
                ++runs;
                co_return;
            });
        }
        std::this_thread::sleep_for(50ms);
        scheduler.Stop();
    }  // destroyed after Stop while the loops may still be unwinding
    std::this_thread::sleep_for(20ms);
    const int after_stop = runs.load();
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(runs.load(), after_stop);
    EXPECT_GT(after_stop, 4);
    work.reset();
    runner.join();
}

}  // namespace
}  // namespace gatehouse::core
