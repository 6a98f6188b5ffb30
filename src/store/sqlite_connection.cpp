#include "store/sqlite_connection.hpp"

#include <sqlite3.h>

#include <memory>
#include <stdexcept>

#include "store/redact.hpp"

namespace gatehouse::store::detail {
namespace {

struct StmtDeleter {
    void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

core::errc MapError(int extended) {
    switch (extended) {
        case SQLITE_CONSTRAINT_UNIQUE:
        case SQLITE_CONSTRAINT_PRIMARYKEY:
            return core::errc::already_exists;
        case SQLITE_CONSTRAINT_FOREIGNKEY:
        case SQLITE_CONSTRAINT_CHECK:
        case SQLITE_CONSTRAINT_NOTNULL:
            return core::errc::conflict;
        default:
            break;
    }
    switch (extended & 0xff) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            return core::errc::unavailable;
        default:
            return core::errc::internal;
    }
}

bool IsBlank(std::string_view rest) {
    for (char c : rest) {
        if (c != ' ' && c != '\n' && c != '\t' && c != '\r' && c != ';') return false;
    }
    return true;
}

}  // namespace

SqliteConnection::SqliteConnection(const std::string& path, bool read_only, int busy_timeout_ms) {
    // NOMUTEX: the owner guarantees one thread at a time, so SQLite's own locking is wasted work.
    // Readers open read-write plus query_only: a SQLITE_OPEN_READONLY handle cannot always create
    // the WAL index it needs, and query_only still refuses every write.
    const int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_READWRITE | (read_only ? 0 : SQLITE_OPEN_CREATE);
    const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close_v2(db_);
        db_ = nullptr;
        throw std::runtime_error("cannot open SQLite database " + path + ": " + message);
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, busy_timeout_ms);
    try {
        // The writer opens first and switches the file to WAL; readers then just see it.
        if (!read_only) ExecuteScript("PRAGMA journal_mode=WAL");
        ExecuteScript("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON");
        if (read_only) ExecuteScript("PRAGMA query_only=1");
    } catch (const core::Error& e) {
        sqlite3_close_v2(db_);
        db_ = nullptr;
        throw std::runtime_error("cannot configure SQLite database " + path + ": " + e.internal());
    }
}

SqliteConnection::~SqliteConnection() { sqlite3_close_v2(db_); }

void SqliteConnection::Fail(int rc, std::string_view sql, std::span<const Value> params) const {
    const int extended = rc == SQLITE_ERROR ? sqlite3_extended_errcode(db_) : rc;
    std::string message = sqlite3_errmsg(db_);
    message += " (code " + std::to_string(extended) + ")";
    throw MakeError(MapError(extended), "sqlite", message, sql, params);
}

ResultSet SqliteConnection::Execute(std::string_view sql, std::span<const Value> params) {
    sqlite3_stmt* raw = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw, &tail);
    Stmt stmt(raw);
    if (rc != SQLITE_OK) Fail(rc, sql, params);
    if (!stmt) return {};  // only whitespace or comments
    if (!IsBlank(std::string_view(tail, sql.data() + sql.size() - tail))) {
        throw MakeError(core::errc::internal, "sqlite", "Execute takes one statement; use ExecuteScript", sql, {});
    }
    if (sqlite3_bind_parameter_count(raw) != static_cast<int>(params.size())) {
        throw MakeError(core::errc::internal, "sqlite",
                        "statement has " + std::to_string(sqlite3_bind_parameter_count(raw)) + " placeholders, got " +
                            std::to_string(params.size()) + " parameters",
                        sql, {});
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
        const int index = static_cast<int>(i) + 1;
        const Value& v = params[i];
        if (std::holds_alternative<std::nullptr_t>(v)) {
            rc = sqlite3_bind_null(raw, index);
        } else if (const auto* n = std::get_if<std::int64_t>(&v)) {
            rc = sqlite3_bind_int64(raw, index, *n);
        } else if (const auto* d = std::get_if<double>(&v)) {
            rc = sqlite3_bind_double(raw, index, *d);
        } else if (const auto* s = std::get_if<std::string>(&v)) {
            rc = sqlite3_bind_text64(raw, index, s->data(), s->size(), SQLITE_TRANSIENT, SQLITE_UTF8);
        } else {
            const std::string& bytes = std::get<Blob>(v).bytes;
            rc = sqlite3_bind_blob64(raw, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
        }
        if (rc != SQLITE_OK) Fail(rc, sql, params);
    }

    ResultSet result;
    const int columns = sqlite3_column_count(raw);
    result.columns.reserve(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c) result.columns.emplace_back(sqlite3_column_name(raw, c));

    const sqlite3_int64 total_before = sqlite3_total_changes64(db_);
    while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
        std::vector<Value> values;
        values.reserve(static_cast<std::size_t>(columns));
        for (int c = 0; c < columns; ++c) {
            switch (sqlite3_column_type(raw, c)) {
                case SQLITE_INTEGER:
                    values.emplace_back(std::int64_t{sqlite3_column_int64(raw, c)});
                    break;
                case SQLITE_FLOAT:
                    values.emplace_back(sqlite3_column_double(raw, c));
                    break;
                case SQLITE_TEXT: {
                    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(raw, c));
                    values.emplace_back(std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(raw, c))));
                    break;
                }
                case SQLITE_BLOB: {
                    const auto* data = static_cast<const char*>(sqlite3_column_blob(raw, c));
                    const auto size = static_cast<std::size_t>(sqlite3_column_bytes(raw, c));
                    values.emplace_back(Blob{data == nullptr ? std::string() : std::string(data, size)});
                    break;
                }
                default:
                    values.emplace_back(nullptr);
            }
        }
        result.rows.emplace_back(std::move(values));
    }
    if (rc != SQLITE_DONE) Fail(rc, sql, params);
    // sqlite3_changes keeps the count of the last INSERT/UPDATE/DELETE even across SELECTs and DDL,
    // so only trust it when this statement changed something.
    if (sqlite3_stmt_readonly(raw) == 0 && sqlite3_total_changes64(db_) != total_before) {
        result.affected = sqlite3_changes64(db_);
    }
    return result;
}

void SqliteConnection::ExecuteScript(std::string_view sql) {
    const std::string script(sql);  // sqlite3_exec needs NUL termination
    char* error = nullptr;
    const int rc = sqlite3_exec(db_, script.c_str(), nullptr, nullptr, &error);
    sqlite3_free(error);
    if (rc != SQLITE_OK) Fail(rc, sql, {});
}

}  // namespace gatehouse::store::detail
