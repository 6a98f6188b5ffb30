#include "http/json_body.hpp"

#include <gtest/gtest.h>

namespace gatehouse::http {
namespace {

TEST(DuplicateKey, FindsAKeyGivenTwiceInOneObject) {
    EXPECT_EQ(DuplicateKey(R"({"a":1,"a":2})"), "a");
    EXPECT_EQ(DuplicateKey(R"({"a":{"b":1,"b":2}})"), "b");
    EXPECT_EQ(DuplicateKey(R"([{"x":1},{"y":1,"z":[],"y":2}])"), "y");
    EXPECT_EQ(DuplicateKey(R"({"a":1,"\u0061":2})"), "a");  // the same key, escaped
    EXPECT_EQ(DuplicateKey(R"({"x\"y":1, "x\"y" : 2})"), "x\"y");
}

TEST(DuplicateKey, SameKeysInDifferentObjectsAndStringsThatLookLikeJsonAreFine) {
    EXPECT_EQ(DuplicateKey(R"({"a":{"b":1},"b":2})"), std::nullopt);
    EXPECT_EQ(DuplicateKey(R"([{"a":1},{"a":2}])"), std::nullopt);
    EXPECT_EQ(DuplicateKey(R"({"a":"}\",{\"a\":","b":"a","c":["a","a"]})"), std::nullopt);
    EXPECT_EQ(DuplicateKey(R"({"a\\":1,"a":2})"), std::nullopt);  // a backslash, then the end of the key
    EXPECT_EQ(DuplicateKey(R"({})"), std::nullopt);
    EXPECT_EQ(DuplicateKey(R"("a")"), std::nullopt);
    EXPECT_EQ(DuplicateKey(R"(12)"), std::nullopt);
}

}  // namespace
}  // namespace gatehouse::http
