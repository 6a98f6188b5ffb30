#include <stdexcept>

#include "store/database.hpp"
#include "store/redact.hpp"

namespace gatehouse::store {

std::unique_ptr<Database> Open(const std::string& url, const std::string& sqlite_path, const SqliteOptions& sqlite,
                               const PostgresOptions& postgres) {
    if (url.empty()) return OpenSqlite(sqlite_path, sqlite);
    if (url.starts_with("postgres://") || url.starts_with("postgresql://")) return OpenPostgres(url, postgres);
    throw std::runtime_error(
        "unsupported database url '" + detail::RedactUrl(url) +
        "': use postgresql://... for PostgreSQL, or leave it empty for the embedded SQLite database");
}

}  // namespace gatehouse::store
