#include "http/header_values.hpp"

#include <gtest/gtest.h>

namespace gatehouse::http {
namespace {

TEST(PreferredCoding, TheServersOrderAmongWhatTheClientTakes) {
    EXPECT_EQ(PreferredCoding("gzip, deflate, br", {"br", "gzip"}), "br");
    EXPECT_EQ(PreferredCoding("gzip", {"br", "gzip"}), "gzip");
    EXPECT_EQ(PreferredCoding("GZip;Q=0.5", {"br", "gzip"}), "gzip");
    EXPECT_EQ(PreferredCoding("", {"br", "gzip"}), "");
    EXPECT_EQ(PreferredCoding("identity", {"br", "gzip"}), "");
}

TEST(PreferredCoding, AQualityOfZeroRefusesWhereverItStands) {
    EXPECT_EQ(PreferredCoding("br;q=0, gzip", {"br", "gzip"}), "gzip");
    EXPECT_EQ(PreferredCoding("br;level=1;q=0.000, gzip;q=0", {"br", "gzip"}), "");
    EXPECT_EQ(PreferredCoding("br ;\tq=0.1", {"br", "gzip"}), "br");
}

TEST(PreferredCoding, AStarCoversCodingsNotNamed) {
    EXPECT_EQ(PreferredCoding("*", {"br", "gzip"}), "br");
    EXPECT_EQ(PreferredCoding("br;q=0, *", {"br", "gzip"}), "gzip");
    EXPECT_EQ(PreferredCoding("gzip, *;q=0", {"br", "gzip"}), "gzip");
}

TEST(IfNoneMatchHits, ListsStarsAndWeakTags) {
    EXPECT_TRUE(IfNoneMatchHits("\"abc-br\"", "\"abc-br\""));
    EXPECT_TRUE(IfNoneMatchHits("\"x\", \"abc-br\"", "\"abc-br\""));
    EXPECT_TRUE(IfNoneMatchHits("\"x\",\t\"abc-br\" ", "\"abc-br\""));
    EXPECT_TRUE(IfNoneMatchHits("W/\"abc-br\"", "\"abc-br\""));
    EXPECT_TRUE(IfNoneMatchHits("*", "\"abc-br\""));
    EXPECT_FALSE(IfNoneMatchHits("", "\"abc-br\""));
    EXPECT_FALSE(IfNoneMatchHits("\"abc\"", "\"abc-br\""));
    EXPECT_FALSE(IfNoneMatchHits("\"abc-br-x\"", "\"abc-br\""));
}

}  // namespace
}  // namespace gatehouse::http
