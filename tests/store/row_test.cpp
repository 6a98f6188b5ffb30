#include <gtest/gtest.h>

#include "store/database.hpp"

namespace gatehouse::store {
namespace {

core::errc CodeOf(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const core::Error& e) {
        return e.code();
    }
    return core::errc::ok;
}

TEST(RowTest, Accessors) {
    const Row row({Value(nullptr), Value(std::int64_t{7}), Value(2.5), Text("hi"), Value(Blob{std::string("\0x", 2)})});
    EXPECT_EQ(row.size(), 5u);
    EXPECT_TRUE(row.IsNull(0));
    EXPECT_FALSE(row.IsNull(1));
    EXPECT_EQ(row.Int(1), 7);
    EXPECT_TRUE(row.Bool(1));
    EXPECT_EQ(row.Double(1), 7.0);  // integers widen
    EXPECT_EQ(row.Double(2), 2.5);
    EXPECT_EQ(row.String(3), "hi");
    EXPECT_EQ(row.Bytes(4), std::string("\0x", 2));
    EXPECT_EQ(row.OptInt(0), std::nullopt);
    EXPECT_EQ(row.OptInt(1), 7);
    EXPECT_EQ(row.OptString(0), std::nullopt);
    EXPECT_EQ(row.OptString(3), "hi");
}

TEST(RowTest, MismatchAndRangeAreInternalErrors) {
    const Row row({Value(nullptr), Text("hi"), Value(2.5)});
    EXPECT_EQ(CodeOf([&] { row.Int(1); }), core::errc::internal);
    EXPECT_EQ(CodeOf([&] { row.Int(0); }), core::errc::internal);
    EXPECT_EQ(CodeOf([&] { row.Int(2); }), core::errc::internal);  // no silent narrowing
    EXPECT_EQ(CodeOf([&] { row.String(2); }), core::errc::internal);
    EXPECT_EQ(CodeOf([&] { row.Bytes(1); }), core::errc::internal);
    EXPECT_EQ(CodeOf([&] { row.at(3); }), core::errc::internal);
    EXPECT_EQ(CodeOf([&] { row.OptString(2); }), core::errc::internal);
}

TEST(RowTest, ColumnByName) {
    ResultSet rs;
    rs.columns = {"id", "name"};
    EXPECT_EQ(rs.Column("name"), 1u);
    EXPECT_TRUE(rs.empty());
    EXPECT_EQ(CodeOf([&] { rs.Column("missing"); }), core::errc::internal);
}

TEST(RowTest, ValueHelpers) {
    EXPECT_EQ(Bool(true), Value(std::int64_t{1}));
    EXPECT_EQ(Bool(false), Value(std::int64_t{0}));
    EXPECT_EQ(Nullable(std::optional<std::string>()), Value(nullptr));
    EXPECT_EQ(Nullable(std::optional<std::string>("x")), Text("x"));
}

}  // namespace
}  // namespace gatehouse::store
