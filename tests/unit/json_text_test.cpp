#include "core/json_text.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>

#include "core/time.hpp"

namespace gatehouse::core {
namespace {

namespace json = boost::json;

TEST(JsonText, DoublesAreWrittenAsPeopleWriteThem) {
    EXPECT_EQ(JsonText(json::value(265.26)), "265.26");
    EXPECT_EQ(JsonText(json::value(1392.23)), "1392.23");
    EXPECT_EQ(JsonText(json::value(0.0)), "0");
    EXPECT_EQ(JsonText(json::value(-0.0)), "0");
    EXPECT_EQ(JsonText(json::value(3.0)), "3");
    EXPECT_EQ(JsonText(json::value(-0.5)), "-0.5");
    EXPECT_EQ(JsonText(json::value(1.5e-7)), "0.00000015");
    EXPECT_EQ(JsonText(json::value(1e21)), "1000000000000000000000");
    EXPECT_EQ(JsonText(json::value(std::nan(""))), "null");
    EXPECT_EQ(JsonText(json::value(std::numeric_limits<double>::infinity())), "null");
}

TEST(JsonText, NestedDocumentsKeepTheirShapeAndEscapes) {
    const json::object doc{{"load_average", json::array{0.08, 0.03, 0.01}},
                           {"name", "a \"quoted\"\nline"},
                           {"count", 3},
                           {"big", std::uint64_t{18446744073709551615u}},
                           {"nested", json::object{{"ms", 12.5}, {"none", nullptr}, {"ok", true}}},
                           {"empty", json::array{}}};
    EXPECT_EQ(JsonText(doc), R"({"load_average":[0.08,0.03,0.01],"name":"a \"quoted\"\nline","count":3,)"
                             R"("big":18446744073709551615,"nested":{"ms":12.5,"none":null,"ok":true},"empty":[]})");
}

TEST(JsonText, WithoutDoublesItIsBoostsText) {
    const auto doc = json::parse(R"({"a":[1,-2,"x\u0001"],"b":{"c":null,"d":false},"e":"é"})");
    EXPECT_EQ(JsonText(doc), json::serialize(doc));
}

TEST(JsonText, EveryDoubleReadsBackExactly) {
    std::mt19937_64 random(42);
    std::uniform_int_distribution<std::uint64_t> bits;
    for (int i = 0; i < 20000; ++i) {
        double d;
        const std::uint64_t b = bits(random);
        std::memcpy(&d, &b, sizeof d);
        if (!std::isfinite(d)) continue;
        const std::string text = JsonText(json::value(d));
        ASSERT_EQ(text.find_first_of("eE"), std::string::npos) << text;
        // strtod, as Python's or JavaScript's parsers read numbers (Boost 1.81's parser is not exact).
        const double read = std::strtod(text.c_str(), nullptr);
        ASSERT_EQ(read, d == 0 ? 0.0 : d) << text;
    }
}

TEST(Time, MillisecondsHaveAtMostThreeDecimals) {
    EXPECT_DOUBLE_EQ(RoundMilliseconds(25.80149), 25.801);
    EXPECT_DOUBLE_EQ(RoundMilliseconds(0.0004), 0.0);
    EXPECT_EQ(JsonText(json::value(Milliseconds(std::chrono::nanoseconds(76'123'456)))), "76.123");
    EXPECT_EQ(JsonText(json::value(RoundMilliseconds(25.801 + 76.1))), "101.901");
}

}  // namespace
}  // namespace gatehouse::core
