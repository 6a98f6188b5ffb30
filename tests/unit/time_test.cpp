#include "core/time.hpp"

#include <gtest/gtest.h>

#include "core/ids.hpp"

namespace gatehouse::core {
namespace {

TEST(Time, FormatsAndParsesRfc3339) {
    const auto t = ParseRfc3339("2026-11-22T02:23:21.123Z");
    ASSERT_TRUE(t);
    EXPECT_EQ(FormatRfc3339(*t), "2026-11-22T02:23:21.123Z");
    EXPECT_EQ(FormatRfc3339(*ParseRfc3339("2026-11-22T04:23:21+02:00")), "2026-11-22T02:23:21.000Z");
    EXPECT_FALSE(ParseRfc3339("2026-11-22"));
    EXPECT_FALSE(ParseRfc3339("2026-13-22T02:23:21Z"));
    EXPECT_FALSE(ParseRfc3339("2026-11-22T02:23:21Zjunk"));
    EXPECT_FALSE(ParseRfc3339("2026-11-22T02:23:21."));
}

TEST(Ids, UuidV7IsVersionedAndOrdered) {
    const auto a = NewUuidV7();
    const auto b = NewUuidV7();
    ASSERT_EQ(a.size(), 36u);
    EXPECT_EQ(a[14], '7');
    EXPECT_TRUE(a[19] == '8' || a[19] == '9' || a[19] == 'a' || a[19] == 'b');
    EXPECT_NE(a, b);
    EXPECT_LE(a.substr(0, 13), b.substr(0, 13));
}

}  // namespace
}  // namespace gatehouse::core
