#pragma once
// libpq on a worker thread: a borrowed connection and its results. Never used on an I/O thread.

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
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

/// A pooled connection and the statements already prepared on it.
struct PooledConn {
    PGconn* pg = nullptr;
    std::unordered_set<std::string> prepared;
};

using Params = std::vector<std::optional<std::string>>;  // text values of $1, $2, ...; nullopt is NULL

/// A statement that runs often: prepared once per connection under `name`, so the monitored server parses and
/// plans it once instead of at every snapshot. `sql` must be the same text every time for a name.
struct Prepared {
    const char* name;
    std::string_view sql;
    Params params;
};

/// A monitoring connection borrowed from its pool for one call. A failed statement throws the pgmon Failure it
/// maps to (timeout, insufficient_privilege, unreachable, ...); no transaction outlives a call, so a failure
/// leaves none open.
class Session {
  public:
    explicit Session(PooledConn& conn) : conn_(conn) {}
    /// One ad-hoc statement (unnamed, planned each time).
    ResultPtr Query(std::string_view sql, const Params& params = {});
    /// Prepared statements in one round trip (libpq pipeline mode, one implicit transaction): one result each, in
    /// order. A failure of one skips the rest and throws.
    std::vector<ResultPtr> Run(const std::vector<Prepared>& statements);

  private:
    PooledConn& conn_;
};

}  // namespace gatehouse::pgmon
