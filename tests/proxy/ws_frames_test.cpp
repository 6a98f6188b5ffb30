#include "proxy/ws_frames.hpp"

#include <gtest/gtest.h>

namespace gatehouse::proxy {
namespace {

std::string Frame(std::size_t payload, bool masked) {
    std::string f(1, static_cast<char>(0x82));
    const char mask = masked ? static_cast<char>(0x80) : 0;
    if (payload < 126) {
        f += static_cast<char>(mask | static_cast<char>(payload));
    } else if (payload < 65536) {
        f += static_cast<char>(mask | 126);
        f += static_cast<char>(payload >> 8);
        f += static_cast<char>(payload & 0xFF);
    } else {
        f += static_cast<char>(mask | 127);
        for (int i = 7; i >= 0; --i) f += static_cast<char>((payload >> (8 * i)) & 0xFF);
    }
    if (masked) f += "abcd";
    return f + std::string(payload, 'x');
}

TEST(FrameBoundaries, FollowsFramesOfEverySizeByteByByte) {
    for (const std::size_t size : {0u, 5u, 125u, 126u, 1000u, 65535u, 65536u, 70000u}) {
        for (const bool masked : {false, true}) {
            const auto frames = Frame(size, masked) + Frame(3, masked);
            FrameBoundaries b;
            std::size_t boundaries = 0;
            for (const char c : frames) {
                b.Advance(std::string_view(&c, 1));
                if (b.AtBoundary()) ++boundaries;
            }
            // A zero-length frame ends with its header; every frame ends exactly once.
            EXPECT_TRUE(b.AtBoundary());
            EXPECT_EQ(boundaries, 2u) << size << (masked ? " masked" : "");
        }
    }
    FrameBoundaries half;
    half.Advance(Frame(10, false).substr(0, 5));
    EXPECT_FALSE(half.AtBoundary());
}

TEST(CloseFrame, CodeAndReason) {
    const auto frame = CloseFrame(4401, "access ended");
    ASSERT_EQ(frame.size(), 2u + 2u + 12u);
    EXPECT_EQ(static_cast<unsigned char>(frame[0]), 0x88);
    EXPECT_EQ(static_cast<unsigned char>(frame[1]), 14);
    EXPECT_EQ((static_cast<unsigned char>(frame[2]) << 8) | static_cast<unsigned char>(frame[3]), 4401);
    EXPECT_EQ(frame.substr(4), "access ended");
}

}  // namespace
}  // namespace gatehouse::proxy
