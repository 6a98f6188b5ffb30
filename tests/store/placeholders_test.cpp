#include "store/placeholders.hpp"

#include <gtest/gtest.h>

#include "store/redact.hpp"

namespace gatehouse::store::detail {
namespace {

TEST(PlaceholdersTest, NumbersEachQuestionMark) {
    EXPECT_EQ(ToPostgresPlaceholders("SELECT a FROM t WHERE b = ? AND c IN (?, ?)"),
              "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)");
    EXPECT_EQ(ToPostgresPlaceholders("INSERT INTO t VALUES (?,?)"), "INSERT INTO t VALUES ($1,$2)");
    EXPECT_EQ(ToPostgresPlaceholders("SELECT 1"), "SELECT 1");
    EXPECT_EQ(ToPostgresPlaceholders(""), "");
}

TEST(PlaceholdersTest, SkipsStringLiterals) {
    EXPECT_EQ(ToPostgresPlaceholders("SELECT '?' , ?"), "SELECT '?' , $1");
    EXPECT_EQ(ToPostgresPlaceholders("SELECT 'it''s ?', ?"), "SELECT 'it''s ?', $1");
    EXPECT_EQ(ToPostgresPlaceholders("SELECT E'\\' ?', ?"), "SELECT E'\\' ?', $1");
    // Outside an E'' string a backslash is an ordinary character.
    EXPECT_EQ(ToPostgresPlaceholders("SELECT '\\', ?"), "SELECT '\\', $1");
    EXPECT_EQ(ToPostgresPlaceholders("SELECT $$ ? $$, $fn$ '?' $fn$, ?"), "SELECT $$ ? $$, $fn$ '?' $fn$, $1");
}

TEST(PlaceholdersTest, SkipsQuotedIdentifiersAndComments) {
    EXPECT_EQ(ToPostgresPlaceholders("SELECT \"a?b\" FROM t WHERE x = ?"), "SELECT \"a?b\" FROM t WHERE x = $1");
    EXPECT_EQ(ToPostgresPlaceholders("SELECT ? -- why?\n, ?"), "SELECT $1 -- why?\n, $2");
    EXPECT_EQ(ToPostgresPlaceholders("SELECT /* a? /* nested? */ still? */ ?"),
              "SELECT /* a? /* nested? */ still? */ $1");
    EXPECT_EQ(ToPostgresPlaceholders("SELECT ? -- trailing?"), "SELECT $1 -- trailing?");
}

TEST(PlaceholdersTest, UnterminatedLiteralIsCopied) {
    EXPECT_EQ(ToPostgresPlaceholders("SELECT ?, 'oops ?"), "SELECT $1, 'oops ?");
}

TEST(PlaceholdersTest, ManyPlaceholders) {
    std::string sql;
    std::string expected;
    for (int i = 1; i <= 12; ++i) {
        sql += "?,";
        expected += "$" + std::to_string(i) + ",";
    }
    EXPECT_EQ(ToPostgresPlaceholders(sql), expected);
}

TEST(RedactTest, UrlPassword) {
    EXPECT_EQ(RedactUrl("postgresql://u:s3cretpw@h:5432/db"), "postgresql://u@h:5432/db");
    EXPECT_EQ(RedactUrl("postgresql://u@h/db"), "postgresql://u@h/db");
    EXPECT_EQ(RedactUrl("postgresql://h/db?user=u&password=s3cretpw&sslmode=require"),
              "postgresql://h/db?user=u&password=<redacted>&sslmode=require");
    EXPECT_EQ(RedactUrl("postgres://u:pw@h"), "postgres://u@h");
}

TEST(RedactTest, Params) {
    const Value params[] = {Value(std::int64_t{42}), Text("topsecret-value"), Value(Blob{"bytes-secret"}), Text("ab")};
    EXPECT_EQ(RedactParams("x topsecret-value y bytes-secret z ab", params), "x <redacted> y <redacted> z ab");
}

}  // namespace
}  // namespace gatehouse::store::detail
