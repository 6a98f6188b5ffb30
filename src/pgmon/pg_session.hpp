#pragma once
// libpq on a worker thread: a borrowed connection and its results. Never used on an I/O thread.

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gatehouse::pgmon {

struct ResultDeleter {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

/// Read access to the rows of a result. Columns are addressed by index; NULL reads as nullopt.
class Rows {
  public:
    explicit Rows(const PGresult* result) : result_(result) {}
    int size() const noexcept { return PQntuples(result_); }
    bool IsNull(int row, int col) const noexcept { return PQgetisnull(result_, row, col) != 0; }
    std::optional<std::string> Text(int row, int col) const;
    std::string Str(int row, int col) const;  // "" for NULL
    std::optional<std::int64_t> Int(int row, int col) const;
    std::optional<double> Num(int row, int col) const;
    std::optional<bool> Bool(int row, int col) const;

  private:
    const PGresult* result_;
};

/// A monitoring connection borrowed from its pool for one call. A failed statement throws the pgmon Failure it
/// maps to (timeout, insufficient_privilege, unreachable, ...); statements run in autocommit, so a failure leaves
/// no transaction open.
class Session {
  public:
    explicit Session(PGconn* conn) : conn_(conn) {}
    /// One statement; `params` are text ($1, $2, ...; nullopt is NULL).
    ResultPtr Query(std::string_view sql, const std::vector<std::optional<std::string>>& params = {});
    /// Several statements separated by ';' in one round trip: one result each.
    std::vector<ResultPtr> Batch(std::string_view sql);
    PGconn* raw() const noexcept { return conn_; }

  private:
    PGconn* conn_;
};

}  // namespace gatehouse::pgmon
