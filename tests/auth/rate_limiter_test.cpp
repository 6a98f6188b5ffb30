#include "auth/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace gatehouse::auth {
namespace {

TEST(RateLimiter, AllowsUpToTheLimitPerKeyThenSaysHowLongToWait) {
    RateLimiter limiter(3, std::chrono::seconds(60));
    const auto t0 = RateLimiter::Clock::now();
    for (int i = 0; i < 3; ++i) EXPECT_FALSE(limiter.Hit({"ip:a", "user:x"}, t0));
    const auto wait = limiter.Hit({"ip:a", "user:x"}, t0 + std::chrono::seconds(10));
    ASSERT_TRUE(wait);
    EXPECT_GE(*wait, 50);
    EXPECT_LE(*wait, 51);
    // Another user from the same address is limited by the address; another address for the same user by the user.
    EXPECT_TRUE(limiter.Hit({"ip:a", "user:y"}, t0));
    EXPECT_TRUE(limiter.Hit({"ip:b", "user:x"}, t0));
    EXPECT_FALSE(limiter.Hit({"ip:b", "user:y"}, t0));
}

TEST(RateLimiter, WindowResets) {
    RateLimiter limiter(1, std::chrono::seconds(60));
    const auto t0 = RateLimiter::Clock::now();
    EXPECT_FALSE(limiter.Hit({"k"}, t0));
    EXPECT_TRUE(limiter.Hit({"k"}, t0 + std::chrono::seconds(59)));
    EXPECT_FALSE(limiter.Hit({"k"}, t0 + std::chrono::seconds(60)));
}

}  // namespace
}  // namespace gatehouse::auth
