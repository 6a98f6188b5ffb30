#include "app/database.hpp"

#include <filesystem>

namespace gatehouse::app {

std::unique_ptr<store::Database> OpenDatabase(const config::Config& config) {
    store::SqliteOptions sqlite;
    sqlite.readers = static_cast<std::size_t>(config.database.sqlite_readers);
    store::PostgresOptions postgres;
    postgres.pool_size = static_cast<std::size_t>(config.database.pool_size);
    postgres.statement_timeout_ms = config.database.statement_timeout_ms;
    postgres.acquire_timeout_ms = config.database.acquire_timeout_ms;
    const auto path = std::filesystem::path(config.data_dir) / "gatehouse.db";
    return store::Open(config.database.url, path.string(), sqlite, postgres);
}

}  // namespace gatehouse::app
