#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <thread>

#include "core/worker_pool.hpp"

namespace gatehouse::core {
namespace {

namespace asio = boost::asio;

TEST(Offload, RunsOnThePoolAndResumesOnTheCaller) {
    asio::io_context ioc;
    WorkerPool pool("test", 2, 100);
    std::thread::id io_thread, work_thread, resumed_thread;
    auto future = asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<int> {
            io_thread = std::this_thread::get_id();
            const int value = co_await Offload(pool, [&] {
                work_thread = std::this_thread::get_id();
                return 42;
            });
            resumed_thread = std::this_thread::get_id();
            co_return value;
        },
        asio::use_future);
    ioc.run();
    EXPECT_EQ(future.get(), 42);
    EXPECT_NE(work_thread, io_thread);
    EXPECT_EQ(resumed_thread, io_thread);
}

TEST(Offload, PropagatesExceptionsAndHandlesVoidAndMoveOnly) {
    asio::io_context ioc;
    WorkerPool pool("test", 1, 100);
    auto future = asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<std::unique_ptr<int>> {
            co_await Offload(pool, [] {});
            try {
                co_await Offload(pool, []() -> int { throw Error(errc::not_found, "gone"); });
            } catch (const Error& e) {
                EXPECT_EQ(e.code(), errc::not_found);
            }
            co_return co_await Offload(pool, [] { return std::make_unique<int>(7); });
        },
        asio::use_future);
    ioc.run();
    EXPECT_EQ(*future.get(), 7);
}

TEST(Offload, SaturatedPoolRefusesWithUnavailable) {
    asio::io_context ioc;
    WorkerPool pool("tiny", 1, 2);
    std::atomic<bool> release{false};
    std::atomic<int> refused{0}, done{0};
    for (int i = 0; i < 6; ++i) {
        asio::co_spawn(
            ioc,
            [&]() -> asio::awaitable<void> {
                try {
                    co_await Offload(pool, [&] {
                        while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
                    });
                    ++done;
                } catch (const Error& e) {
                    if (e.code() == errc::unavailable) ++refused;
                }
            },
            asio::detached);
    }
    ioc.poll();  // every coroutine has tried to enter the pool
    release = true;
    ioc.run();
    // One running plus two waiting are admitted; the rest are refused at once.
    EXPECT_EQ(done.load(), 3);
    EXPECT_EQ(refused.load(), 3);
}

}  // namespace
}  // namespace gatehouse::core
