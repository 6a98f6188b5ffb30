#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "core/errc.hpp"
#include "core/worker_pool.hpp"

namespace gatehouse::store {

/// Raw bytes (may hold NUL); stored as BLOB (SQLite) / bytea (PostgreSQL).
struct Blob {
    std::string bytes;
    bool operator==(const Blob&) const = default;
};

/// A bound parameter or a column value. Booleans are bound as integers 0/1.
using Value = std::variant<std::nullptr_t, std::int64_t, double, std::string, Blob>;

inline Value Bool(bool b) { return Value(std::int64_t{b ? 1 : 0}); }
inline Value Text(std::string_view s) { return Value(std::string(s)); }
template <class T>
Value Nullable(const std::optional<T>& v) {
    return v ? Value(*v) : Value(nullptr);
}

enum class Dialect { sqlite, postgres };

/// One result row. Accessors throw core::Error(errc::internal) on a type mismatch or a bad index:
/// that is a programming error in a repository, never a user error.
class Row {
  public:
    Row() = default;
    explicit Row(std::vector<Value> values) : values_(std::move(values)) {}

    std::size_t size() const noexcept { return values_.size(); }
    const Value& at(std::size_t i) const;
    bool IsNull(std::size_t i) const;
    std::int64_t Int(std::size_t i) const;  // integers; PostgreSQL booleans come back as 0/1
    double Double(std::size_t i) const;     // doubles, or integers widened
    bool Bool(std::size_t i) const;         // Int(i) != 0
    const std::string& String(std::size_t i) const;
    const std::string& Bytes(std::size_t i) const;  // Blob contents
    std::optional<std::int64_t> OptInt(std::size_t i) const;
    std::optional<std::string> OptString(std::size_t i) const;

  private:
    std::vector<Value> values_;
};

struct ResultSet {
    std::vector<std::string> columns;
    std::vector<Row> rows;
    std::int64_t affected = 0;  // rows changed by INSERT/UPDATE/DELETE

    bool empty() const noexcept { return rows.empty(); }
    /// Index of a column by name; throws core::Error(errc::internal) when absent.
    std::size_t Column(std::string_view name) const;
};

/// A database connection. Blocking: only used on a worker-pool thread, inside Database::Read/Write
/// or the blocking With* calls. Placeholders are `?` in both dialects.
/// Errors: throws core::Error with errc::already_exists (unique violation), errc::conflict
/// (foreign key / check violation), errc::unavailable (busy, connection lost) or errc::internal.
/// The client-facing detail never contains SQL or driver text; that goes to Error::internal().
class Connection {
  public:
    virtual ~Connection() = default;
    virtual Dialect dialect() const noexcept = 0;
    virtual ResultSet Execute(std::string_view sql, std::span<const Value> params) = 0;
    ResultSet Execute(std::string_view sql, std::initializer_list<Value> params = {}) {
        return Execute(sql, std::span<const Value>(params.begin(), params.size()));
    }
    /// Several statements separated by `;`, no parameters (migrations).
    virtual void ExecuteScript(std::string_view sql) = 0;
};

struct PoolStats {
    std::size_t size = 0;           // connections the pool may hold
    std::size_t in_use = 0;         // connections lent out now
    std::size_t waiting = 0;        // callers waiting for a connection now
    double wait_seconds_total = 0;  // summed time callers waited for a connection
};

/// What a listener hears (see Database::Listen). Called on the listener's own thread, which may block.
struct ListenCallbacks {
    std::function<void(std::string_view payload)> message;
    std::function<void()> connected;             // after every (re)connection: catch up on what was missed
    std::function<void(std::string_view)> lost;  // the connection dropped or could not be made (why)
};

/// Listens until destroyed.
class Subscription {
  public:
    virtual ~Subscription() = default;
};

/// The SQL layer both backends implement. Repositories are written once against it.
class Database {
  public:
    virtual ~Database() = default;
    virtual Dialect dialect() const noexcept = 0;
    virtual PoolStats Stats() const = 0;

    /// Blocking: run `fn` with a connection for reading. Not on an I/O thread.
    virtual void WithRead(const std::function<void(Connection&)>& fn) = 0;
    /// Blocking: run `fn` inside one transaction (committed when fn returns, rolled back when it
    /// throws, and the exception rethrown). Not on an I/O thread.
    virtual void WithTransaction(const std::function<void(Connection&)>& fn) = 0;

    virtual core::WorkerPool& read_pool() = 0;
    virtual core::WorkerPool& write_pool() = 0;

    /// PostgreSQL: a connection of its own LISTENs on `channel` on a thread of its own until the subscription is
    /// destroyed, reconnecting with backoff. SQLite: nullptr (one process; nothing to hear).
    /// `application_name`: how the connection shows in pg_stat_activity. Each server has exactly one
    /// "gatehouse-listen" (its auth channel), which `gatehouse vault rotate` counts; other channels name theirs.
    virtual std::unique_ptr<Subscription> Listen(std::string channel, ListenCallbacks callbacks,
                                                 std::string application_name = "gatehouse-listen") {
        (void)channel;
        (void)callbacks;
        (void)application_name;
        return nullptr;
    }

    /// Runs fn(Connection&) on the read pool and resumes the caller on its executor with the result.
    template <class F>
    boost::asio::awaitable<std::invoke_result_t<F&, Connection&>> Read(F fn) {
        co_return co_await core::Offload(
            read_pool(), [this, fn = std::move(fn)]() mutable { return Run([this](auto& f) { WithRead(f); }, fn); });
    }

    /// Runs fn(Connection&) in a transaction on the write pool (SQLite: the single writer thread).
    template <class F>
    boost::asio::awaitable<std::invoke_result_t<F&, Connection&>> Write(F fn) {
        co_return co_await core::Offload(write_pool(), [this, fn = std::move(fn)]() mutable {
            return Run([this](auto& f) { WithTransaction(f); }, fn);
        });
    }

  private:
    template <class With, class F>
    static std::invoke_result_t<F&, Connection&> Run(With with, F& fn) {
        using R = std::invoke_result_t<F&, Connection&>;
        if constexpr (std::is_void_v<R>) {
            std::function<void(Connection&)> call = [&fn](Connection& c) { fn(c); };
            with(call);
        } else {
            std::optional<R> result;
            std::function<void(Connection&)> call = [&fn, &result](Connection& c) { result.emplace(fn(c)); };
            with(call);
            return std::move(*result);
        }
    }
};

struct SqliteOptions {
    std::size_t readers = 4;  // reader connections (and read-pool threads)
    int busy_timeout_ms = 5000;
    std::size_t max_queued = 10000;  // per pool
};

struct PostgresOptions {
    std::size_t pool_size = 8;  // connections (and pool threads)
    int connect_timeout_s = 5;
    std::size_t max_queued = 10000;
    int statement_timeout_ms = 30000;  // set on every session: a stuck statement cannot hold a connection forever
    int acquire_timeout_ms = 5000;     // waiting for a free connection; unavailable beyond
};

/// Opens (creating if needed) a SQLite database: WAL, foreign_keys=ON, busy timeout, one writer
/// connection on its own thread plus a pool of readers. Throws std::runtime_error when it cannot.
std::unique_ptr<Database> OpenSqlite(const std::string& path, const SqliteOptions& options);

/// Connects a libpq pool to `url` (postgresql://...). Throws std::runtime_error when it cannot;
/// the message never contains the password.
std::unique_ptr<Database> OpenPostgres(const std::string& url, const PostgresOptions& options);

/// Opens the backend `url` names: empty -> SQLite at `sqlite_path`; postgres:// or postgresql:// -> PostgreSQL.
std::unique_ptr<Database> Open(const std::string& url, const std::string& sqlite_path, const SqliteOptions& sqlite,
                               const PostgresOptions& postgres);

}  // namespace gatehouse::store
