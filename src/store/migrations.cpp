#include "store/migrations.hpp"

#include <stdexcept>
#include <string>

#include "core/time.hpp"

namespace gatehouse::store {
namespace {

// Key of the PostgreSQL advisory lock that serialises migrations across processes ("gatehous").
constexpr std::int64_t kMigrationLockKey = 0x6761746568'6f7573;

void Validate(std::span<const Migration> migrations) {
    for (std::size_t i = 0; i < migrations.size(); ++i) {
        if (migrations[i].version != static_cast<int>(i) + 1) {
            throw std::runtime_error("migration list is not numbered 1..n without gaps (entry " + std::to_string(i) +
                                     " has version " + std::to_string(migrations[i].version) + ")");
        }
    }
}

int LatestVersion(std::span<const Migration> migrations) { return migrations.empty() ? 0 : migrations.back().version; }

int ReadVersion(Connection& conn) {
    return static_cast<int>(conn.Execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").rows.at(0).Int(0));
}

void CheckNotNewer(int current, int latest) {
    if (current > latest) {
        throw std::runtime_error("database schema version " + std::to_string(current) + " is newer than this binary (" +
                                 std::to_string(latest) + ")");
    }
}

std::string Describe(const std::exception& e) {
    std::string text = e.what();
    if (const auto* error = dynamic_cast<const core::Error*>(&e); error != nullptr && !error->internal().empty()) {
        text += ": " + error->internal();
    }
    return text;
}

}  // namespace

int Migrate(Database& db, std::span<const Migration> migrations) {
    Validate(migrations);
    const int latest = LatestVersion(migrations);
    int applied = 0;
    // One transaction per step, each re-reading the version under the lock: a concurrent migrator
    // that got there first simply leaves nothing to do, and a failing step keeps the earlier ones.
    for (;;) {
        const Migration* step = nullptr;
        try {
            db.WithTransaction([&](Connection& conn) {
                step = nullptr;
                if (conn.dialect() == Dialect::postgres) {
                    // Also covers CREATE TABLE IF NOT EXISTS, which races on the catalog otherwise.
                    conn.Execute("SELECT pg_advisory_xact_lock(?)", {Value(kMigrationLockKey)});
                }
                conn.ExecuteScript(
                    "CREATE TABLE IF NOT EXISTS schema_migrations ("
                    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
                const int current = ReadVersion(conn);
                CheckNotNewer(current, latest);
                if (current == latest) return;
                step = &migrations[static_cast<std::size_t>(current)];
                conn.ExecuteScript(conn.dialect() == Dialect::sqlite ? step->sqlite : step->postgres);
                conn.Execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                             {Value(std::int64_t{step->version}), Text(step->name), Text(core::NowRfc3339())});
            });
        } catch (const core::Error& e) {
            if (step == nullptr) throw std::runtime_error("cannot migrate the database: " + Describe(e));
            throw std::runtime_error("migration " + std::to_string(step->version) + " (" + std::string(step->name) +
                                     ") failed: " + Describe(e));
        }
        if (step == nullptr) return applied;
        ++applied;
    }
}

MigrationStatus GetMigrationStatus(Database& db, std::span<const Migration> migrations) {
    MigrationStatus status;
    status.latest = LatestVersion(migrations);
    db.WithRead([&](Connection& conn) {
        const char* exists_sql = conn.dialect() == Dialect::sqlite
                                     ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = "
                                       "'schema_migrations'"
                                     : "SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema() "
                                       "AND tablename = 'schema_migrations'";
        if (conn.Execute(exists_sql).rows.at(0).Int(0) > 0) status.current = ReadVersion(conn);
    });
    return status;
}

}  // namespace gatehouse::store
