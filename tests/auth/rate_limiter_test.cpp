#include "auth/rate_limiter.hpp"

#include <gtest/gtest.h>

#include "auth/login_throttle.hpp"

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

// A spray of distinct addresses cannot grow the map without bound, and the newest windows survive a trim.
TEST(RateLimiter, KeyMapIsBoundedWhateverTheNumberOfKeys) {
    RateLimiter limiter(1, std::chrono::seconds(60), 1000);
    auto t = RateLimiter::Clock::now();
    for (int i = 0; i < 300000; ++i) {
        limiter.Count({"ip:10." + std::to_string(i)}, t);
        if (i % 1000 == 0) t += std::chrono::milliseconds(1);
        ASSERT_LE(limiter.size(), 1000u) << i;
    }
    EXPECT_TRUE(limiter.Blocked({"ip:10.299999"}, t));  // the newest window is still there
    // Finished windows go first, live ones only when that is not enough.
    RateLimiter expiring(1, std::chrono::seconds(60), 100);
    const auto t0 = RateLimiter::Clock::now();
    for (int i = 0; i < 99; ++i) expiring.Count({"old-" + std::to_string(i)}, t0);
    expiring.Count({"keep"}, t0 + std::chrono::seconds(30));
    expiring.Count({"new"}, t0 + std::chrono::seconds(61));
    EXPECT_TRUE(expiring.Blocked({"keep"}, t0 + std::chrono::seconds(61)));
    EXPECT_LE(expiring.size(), 2u);
}

TEST(LoginThrottle, ADeviceCookieIsBoundToItsAccountAndKey) {
    LoginThrottle throttle({}, "key-one");
    const auto cookie = throttle.IssueDevice("Alice");
    EXPECT_FALSE(throttle.DeviceOf(cookie, "alice").empty());  // names are counted case-insensitively
    EXPECT_TRUE(throttle.DeviceOf(cookie, "bob").empty());
    EXPECT_TRUE(LoginThrottle({}, "key-two").DeviceOf(cookie, "alice").empty());
    EXPECT_TRUE(throttle.DeviceOf(cookie + "x", "alice").empty());
    EXPECT_TRUE(throttle.DeviceOf("", "alice").empty());
}

TEST(LoginThrottle, StrangersShareTheAccountLimitAKnownDeviceDoesNot) {
    ThrottleOptions options;
    options.attempts_per_address = 3;
    options.failures_per_account = 4;
    LoginThrottle throttle(options, "k");
    const std::string device = throttle.DeviceOf(throttle.IssueDevice("admin"), "admin");
    for (int i = 0; i < 4; ++i) {
        const PasswordClient stranger{"10.0.0." + std::to_string(i), ""};
        ASSERT_FALSE(throttle.Admit(stranger, "admin"));
        throttle.Failed(stranger, "admin");
    }
    EXPECT_TRUE(throttle.Admit({"10.0.0.99", ""}, "admin"));       // the account is closed to strangers
    EXPECT_FALSE(throttle.Admit({"192.0.2.1", device}, "admin"));  // but not to the user's browser
    EXPECT_FALSE(throttle.Admit({"10.0.0.98", ""}, "other"));      // nor to other accounts
    // Every attempt from one address counts, failed or not.
    const PasswordClient busy{"192.0.2.9", ""};
    for (int i = 0; i < 3; ++i) ASSERT_FALSE(throttle.Admit(busy, "someone-" + std::to_string(i)));
    EXPECT_TRUE(throttle.Admit(busy, "someone-else"));
}

}  // namespace
}  // namespace gatehouse::auth
