#include "store/migrations.hpp"

namespace gatehouse::store {
namespace {

// Append new steps at the end with the next version; never edit a released one. Booleans are
// INTEGER 0/1 and timestamps RFC 3339 TEXT in both dialects, so repositories stay dialect-free.
constexpr Migration kMigrations[] = {
    {
        .version = 1,
        .name = "instance",
        .sqlite = R"sql(
            CREATE TABLE instance_info (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
            );
        )sql",
        .postgres = R"sql(
            CREATE TABLE instance_info (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
            );
        )sql",
    },
};

}  // namespace

std::span<const Migration> AllMigrations() { return kMigrations; }

}  // namespace gatehouse::store
