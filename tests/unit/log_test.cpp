#include "core/log.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <string>

namespace gatehouse::core {
namespace {

// stderr that nobody reads (a full pipe): logging still returns at once, and what does not fit is dropped and
// counted rather than blocking the caller (an I/O thread, in the server).
TEST(Log, AStuckStderrNeverBlocksTheCaller) {
    InitLogging("info");
    int pipe_fds[2];
    ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
    const int saved = ::dup(STDERR_FILENO);
    ASSERT_GE(saved, 0);
    ASSERT_GE(::dup2(pipe_fds[1], STDERR_FILENO), 0);

    const auto dropped_before = DroppedLogLines();
    const std::string padding(1000, 'x');
    const auto started = std::chrono::steady_clock::now();
    for (int i = 0; i < 20000; ++i) LogWarn("test.flood", {{"i", i}, {"padding", padding}});  // ~20 MB
    const auto took = std::chrono::steady_clock::now() - started;

    // Unblock the writer and put stderr back.
    ASSERT_EQ(::fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK), 0);
    char sink[65536];
    for (int rounds = 0; rounds < 2000; ++rounds) {
        while (::read(pipe_fds[0], sink, sizeof sink) > 0) {
        }
        ::usleep(1000);
        if (rounds > 200) break;
    }
    ::dup2(saved, STDERR_FILENO);
    ::close(saved);
    ::close(pipe_fds[1]);

    EXPECT_LT(took, std::chrono::seconds(3)) << "logging waited for stderr";
    EXPECT_GT(DroppedLogLines(), dropped_before) << "20 MB went into a 64 KiB pipe without dropping anything";
    ::close(pipe_fds[0]);
}

}  // namespace
}  // namespace gatehouse::core
