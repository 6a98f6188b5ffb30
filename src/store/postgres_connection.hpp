#pragma once

#include <string>

#include "store/database.hpp"

struct pg_conn;
struct pg_result;

namespace gatehouse::store::detail {

/// How gatehouse's own sessions are set up: a bounded connect, TCP keepalives (a dead peer is noticed), and a
/// statement_timeout (a stuck statement cannot hold a connection forever).
struct SessionSettings {
    int connect_timeout_s = 5;
    int statement_timeout_ms = 30000;
    std::string application_name = "gatehouse";
};

/// Opens a libpq connection to `url` with `settings`. nullptr and `error` (without the password) when it cannot.
pg_conn* ConnectPostgres(const std::string& url, const SessionSettings& settings, std::string& error);

/// One libpq connection. Not thread-safe: the pool lends it to one thread at a time.
class PostgresConnection final : public Connection {
  public:
    /// Connects; throws std::runtime_error (without the password) when it cannot.
    PostgresConnection(const std::string& url, const SessionSettings& settings);
    ~PostgresConnection() override;
    PostgresConnection(const PostgresConnection&) = delete;
    PostgresConnection& operator=(const PostgresConnection&) = delete;

    Dialect dialect() const noexcept override { return Dialect::postgres; }
    ResultSet Execute(std::string_view sql, std::span<const Value> params) override;
    using Connection::Execute;
    void ExecuteScript(std::string_view sql) override;

    /// Before lending: reconnects a broken connection (throws core::Error(unavailable) when that
    /// fails) and rolls back a transaction a previous borrower left open.
    void Prepare();

  private:
    std::string ErrorText() const;
    [[noreturn]] void Fail(const pg_result* res, std::string_view sql, std::span<const Value> params) const;

    pg_conn* conn_ = nullptr;
    std::string password_;  // only to scrub it from libpq messages
};

}  // namespace gatehouse::store::detail
