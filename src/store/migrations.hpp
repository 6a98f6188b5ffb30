#pragma once

#include <span>
#include <string_view>

#include "store/database.hpp"

namespace gatehouse::store {

/// One schema step. Dialect differences live here and in the SQL layer only.
struct Migration {
    int version;
    std::string_view name;
    std::string_view sqlite;
    std::string_view postgres;
};

/// Every migration, ordered by version, starting at 1 with no gaps.
std::span<const Migration> AllMigrations();

struct MigrationStatus {
    int current = 0;  // highest applied version (0: none)
    int latest = 0;   // highest known version
    bool up_to_date() const noexcept { return current == latest; }
};

/// Blocking. Applies the missing migrations in order, each in its own transaction, recording them
/// in `schema_migrations (version, name, applied_at)`. Safe when several processes start at once:
/// PostgreSQL takes an advisory lock, SQLite an immediate write transaction. Returns how many it
/// applied. Throws std::runtime_error when the database is newer than this binary or a step fails.
int Migrate(Database& db, std::span<const Migration> migrations = AllMigrations());

/// Blocking. Reads the applied version (0 when the table does not exist yet).
MigrationStatus GetMigrationStatus(Database& db, std::span<const Migration> migrations = AllMigrations());

}  // namespace gatehouse::store
