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

ResultPtr Session::Query(std::string_view sql, const std::vector<std::optional<std::string>>& params) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    const std::string text(sql);
    ResultPtr result(PQexecParams(conn_, text.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                                  nullptr, 0));
    ThrowIfFailed(conn_, result.get());
    return result;
}

std::vector<ResultPtr> Session::Batch(std::string_view sql) {
    const std::string text(sql);
    if (PQsendQuery(conn_, text.c_str()) != 1) ThrowIfFailed(conn_, nullptr);
    std::vector<ResultPtr> results;
    // Every result is read, even after a failure, so the connection is ready for its next use.
    std::optional<core::Error> failure;
    while (PGresult* raw = PQgetResult(conn_)) {
        ResultPtr result(raw);
        if (!failure) {
            try {
                ThrowIfFailed(conn_, result.get());
            } catch (const core::Error& e) {
                failure = e;
            }
        }
        results.push_back(std::move(result));
    }
    if (failure) throw *failure;
    return results;
}

}  // namespace gatehouse::pgmon
