#include "pgmon/pg_session.hpp"

#include <charconv>
#include <cstdlib>

#include "pgmon/failure.hpp"
#include "pgmon/pgmon_types.hpp"

namespace gatehouse::pgmon {

std::optional<std::string> Rows::Text(int row, int col) const {
    if (IsNull(row, col)) return std::nullopt;
    return std::string(PQgetvalue(result_, row, col), static_cast<std::size_t>(PQgetlength(result_, row, col)));
}

std::string Rows::Str(int row, int col) const { return Text(row, col).value_or(""); }

std::optional<std::int64_t> Rows::Int(int row, int col) const {
    if (IsNull(row, col)) return std::nullopt;
    const char* text = PQgetvalue(result_, row, col);
    const char* end = text + PQgetlength(result_, row, col);
    std::int64_t value = 0;
    const auto [ptr, ec] = std::from_chars(text, end, value);
    if (ec == std::errc() && ptr == end) return value;
    // numeric columns (sums of bigints) may come as "12.0" or larger than int64: read as a double.
    return static_cast<std::int64_t>(std::strtod(text, nullptr));
}

std::optional<double> Rows::Num(int row, int col) const {
    if (IsNull(row, col)) return std::nullopt;
    return std::strtod(PQgetvalue(result_, row, col), nullptr);
}

std::optional<bool> Rows::Bool(int row, int col) const {
    if (IsNull(row, col)) return std::nullopt;
    return PQgetvalue(result_, row, col)[0] == 't';
}

namespace {

std::vector<const char*> Values(const Params& params) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    return values;
}

[[noreturn]] void Broken(PGconn* conn) {
    ThrowIfFailed(conn, nullptr);
    throw Failure(FailureKind::unreachable, "the connection to PostgreSQL broke");
}

}  // namespace

ResultPtr Session::Query(std::string_view sql, const Params& params) {
    const auto values = Values(params);
    const std::string text(sql);
    ResultPtr result(PQexecParams(conn_.pg, text.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                                  nullptr, nullptr, 0));
    ThrowIfFailed(conn_.pg, result.get());
    return result;
}

std::vector<ResultPtr> Session::Run(const std::vector<Prepared>& statements) {
    PGconn* const c = conn_.pg;
    if (PQenterPipelineMode(c) != 1) Broken(c);
    std::vector<bool> preparing(statements.size(), false);
    for (std::size_t i = 0; i < statements.size(); ++i) {
        const auto& s = statements[i];
        const auto values = Values(s.params);
        if (!conn_.prepared.contains(s.name)) {
            const std::string sql(s.sql);
            if (PQsendPrepare(c, s.name, sql.c_str(), static_cast<int>(values.size()), nullptr) != 1) Broken(c);
            preparing[i] = true;
        }
        if (PQsendQueryPrepared(c, s.name, static_cast<int>(values.size()), values.data(), nullptr, nullptr, 0) != 1)
            Broken(c);
    }
    if (PQpipelineSync(c) != 1) Broken(c);

    // Every result is read, even after a failure, so the connection leaves pipeline mode ready for its next use.
    std::vector<ResultPtr> results;
    std::optional<core::Error> failure;
    const auto take = [&](bool keep, const char* prepared_name) {
        ResultPtr result(PQgetResult(c));
        if (!result) Broken(c);
        const auto status = PQresultStatus(result.get());
        if (status == PGRES_FATAL_ERROR && !failure) failure = ErrorFor(c, result.get());
        if (prepared_name != nullptr && status == PGRES_COMMAND_OK) conn_.prepared.insert(prepared_name);
        if (keep && status == PGRES_TUPLES_OK) results.push_back(std::move(result));
        ResultPtr end(PQgetResult(c));  // each command's results end with a null
    };
    for (std::size_t i = 0; i < statements.size(); ++i) {
        if (preparing[i]) take(false, statements[i].name);
        take(true, nullptr);
    }
    ResultPtr sync(PQgetResult(c));
    if (!sync || PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC) Broken(c);
    if (PQexitPipelineMode(c) != 1) Broken(c);
    if (failure) throw *failure;
    if (results.size() != statements.size()) throw Failure(FailureKind::unreachable, "PostgreSQL answered oddly");
    return results;
}

}  // namespace gatehouse::pgmon
