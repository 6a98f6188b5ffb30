#include "store/postgres_connection.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <cstdlib>
#include <memory>
#include <stdexcept>

#include "store/placeholders.hpp"
#include "store/redact.hpp"

namespace gatehouse::store::detail {
namespace {

// Type oids from pg_type.h (catalog headers are not part of libpq-dev).
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

struct ResultDeleter {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

core::errc MapSqlState(std::string_view state) {
    if (state == "23505") return core::errc::already_exists;
    if (state == "23503" || state == "23514" || state == "23502") return core::errc::conflict;
    // Connection trouble, a terminated session, a serialisation conflict, a deadlock, or a statement stopped by
    // statement_timeout (57014): the database cannot take the work now.
    if (state.starts_with("08") || state == "57P01" || state == "57014" || state == "40001" || state == "40P01") {
        return core::errc::unavailable;
    }
    return core::errc::internal;
}

std::string Scrub(std::string text, const std::string& password) {
    if (password.empty()) return text;
    return RedactParams(std::move(text), std::span<const Value>{std::vector<Value>{Value(password)}});
}

Value ConvertCell(const PGresult* res, int row, int col) {
    if (PQgetisnull(res, row, col) != 0) return nullptr;
    const char* text = PQgetvalue(res, row, col);
    const auto length = static_cast<std::size_t>(PQgetlength(res, row, col));
    switch (PQftype(res, col)) {
        case kInt2Oid:
        case kInt4Oid:
        case kInt8Oid: {
            std::int64_t n = 0;
            std::from_chars(text, text + length, n);
            return n;
        }
        case kBoolOid:
            return std::int64_t{text[0] == 't' ? 1 : 0};
        case kFloat4Oid:
        case kFloat8Oid:
        case kNumericOid:
            // strtod also reads NaN and Infinity, which PostgreSQL spells that way.
            return std::strtod(text, nullptr);
        case kByteaOid: {
            std::size_t size = 0;
            unsigned char* bytes = PQunescapeBytea(reinterpret_cast<const unsigned char*>(text), &size);
            if (bytes == nullptr) throw std::bad_alloc();
            Blob blob{std::string(reinterpret_cast<const char*>(bytes), size)};
            PQfreemem(bytes);
            return blob;
        }
        default:
            return std::string(text, length);
    }
}

}  // namespace

namespace {

std::string PasswordOf(const std::string& url) {
    std::string password;
    if (PQconninfoOption* options = PQconninfoParse(url.c_str(), nullptr)) {
        for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
            if (std::string_view(o->keyword) == "password" && o->val != nullptr) password = o->val;
        }
        PQconninfoFree(options);
    }
    return password;
}

}  // namespace

pg_conn* ConnectPostgres(const std::string& url, const SessionSettings& settings, std::string& error) {
    const std::string timeout = std::to_string(settings.connect_timeout_s);
    const std::string session_options = "-c statement_timeout=" + std::to_string(settings.statement_timeout_ms);
    // expand_dbname: `dbname` holds the whole URL; the later keywords override what it says.
    const char* keys[] = {
        "dbname",          "connect_timeout",     "client_encoding",  "application_name", "keepalives",
        "keepalives_idle", "keepalives_interval", "keepalives_count", "options",          nullptr};
    const char* values[] = {
        url.c_str(), timeout.c_str(),         "UTF8", settings.application_name.c_str(), "1", "30", "10",
        "3",         session_options.c_str(), nullptr};
    pg_conn* conn = PQconnectdbParams(keys, values, 1);
    if (conn == nullptr) throw std::bad_alloc();
    if (PQstatus(conn) == CONNECTION_OK) return conn;
    std::string text = PQerrorMessage(conn);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    error = "cannot connect to PostgreSQL at " + RedactUrl(url) + ": " + Scrub(std::move(text), PasswordOf(url));
    PQfinish(conn);
    return nullptr;
}

PostgresConnection::PostgresConnection(const std::string& url, const SessionSettings& settings)
    : password_(PasswordOf(url)) {
    std::string error;
    conn_ = ConnectPostgres(url, settings, error);
    if (conn_ == nullptr) throw std::runtime_error(error);
}

PostgresConnection::~PostgresConnection() {
    if (conn_ != nullptr) PQfinish(conn_);
}

std::string PostgresConnection::ErrorText() const {
    std::string text = PQerrorMessage(conn_);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return Scrub(std::move(text), password_);
}

void PostgresConnection::Fail(const pg_result* res, std::string_view sql, std::span<const Value> params) const {
    const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    // The primary message only: DETAIL and CONTEXT quote key and parameter values.
    const char* primary = res != nullptr ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    std::string message = primary != nullptr ? Scrub(primary, password_) : ErrorText();
    core::errc code = PQstatus(conn_) != CONNECTION_OK ? core::errc::unavailable : core::errc::internal;
    if (state != nullptr) {
        message += " (SQLSTATE " + std::string(state) + ")";
        code = MapSqlState(state);
    }
    throw MakeError(code, "postgres", message, sql, params);
}

void PostgresConnection::Prepare() {
    if (PQstatus(conn_) != CONNECTION_OK) {
        PQreset(conn_);
        if (PQstatus(conn_) != CONNECTION_OK) {
            throw MakeError(core::errc::unavailable, "postgres", "reconnect failed: " + ErrorText(), {}, {});
        }
    }
    if (PQtransactionStatus(conn_) != PQTRANS_IDLE) ExecuteScript("ROLLBACK");
}

ResultSet PostgresConnection::Execute(std::string_view sql, std::span<const Value> params) {
    const std::string translated = ToPostgresPlaceholders(sql);
    const std::size_t n = params.size();
    std::vector<std::string> text(n);  // storage for text-format parameters
    std::vector<const char*> values(n, nullptr);
    std::vector<int> lengths(n, 0);
    std::vector<int> formats(n, 0);
    // Typed int8/float8 so that `SELECT ?` and friends resolve; text goes as `unknown` so the server
    // casts it to whatever column type it lands in.
    std::vector<Oid> types(n, 0);
    for (std::size_t i = 0; i < n; ++i) {
        const Value& v = params[i];
        if (const auto* num = std::get_if<std::int64_t>(&v)) {
            text[i] = std::to_string(*num);
            types[i] = kInt8Oid;
        } else if (const auto* d = std::get_if<double>(&v)) {
            char buf[64];
            text[i].assign(buf, std::to_chars(buf, buf + sizeof buf, *d).ptr);
            types[i] = kFloat8Oid;
        } else if (const auto* s = std::get_if<std::string>(&v)) {
            if (s->find('\0') != std::string::npos) {
                throw core::Error(core::errc::invalid_argument, "text must not contain NUL characters",
                                  "postgres: text parameter " + std::to_string(i + 1) +
                                      " contains NUL [in: " + std::string(sql) + "]");
            }
            text[i] = *s;
        } else if (const auto* blob = std::get_if<Blob>(&v)) {
            values[i] = blob->bytes.data();
            lengths[i] = static_cast<int>(blob->bytes.size());
            formats[i] = 1;
            types[i] = kByteaOid;
            continue;
        } else {
            continue;  // NULL: values[i] stays nullptr
        }
        values[i] = text[i].c_str();
    }

    Result res(PQexecParams(conn_, translated.c_str(), static_cast<int>(n), types.data(), values.data(), lengths.data(),
                            formats.data(), 0));
    const ExecStatusType status = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) Fail(res.get(), sql, params);

    ResultSet result;
    const int columns = PQnfields(res.get());
    const int rows = PQntuples(res.get());
    for (int c = 0; c < columns; ++c) result.columns.emplace_back(PQfname(res.get(), c));
    result.rows.reserve(static_cast<std::size_t>(rows));
    for (int r = 0; r < rows; ++r) {
        std::vector<Value> row;
        row.reserve(static_cast<std::size_t>(columns));
        for (int c = 0; c < columns; ++c) row.push_back(ConvertCell(res.get(), r, c));
        result.rows.emplace_back(std::move(row));
    }
    // PQcmdTuples also counts SELECT rows; `affected` means rows changed, as in SQLite.
    const std::string_view tag = PQcmdStatus(res.get());
    if (tag.starts_with("INSERT") || tag.starts_with("UPDATE") || tag.starts_with("DELETE") ||
        tag.starts_with("MERGE")) {
        result.affected = std::atoll(PQcmdTuples(res.get()));
    }
    return result;
}

void PostgresConnection::ExecuteScript(std::string_view sql) {
    const std::string script(sql);
    Result res(PQexec(conn_, script.c_str()));
    const ExecStatusType status = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) return;
    Fail(res.get(), sql, {});
}

}  // namespace gatehouse::store::detail
