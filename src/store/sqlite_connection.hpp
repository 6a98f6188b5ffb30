#pragma once

#include <string>

#include "store/database.hpp"

struct sqlite3;

namespace gatehouse::store::detail {

/// One sqlite3 handle. Not thread-safe: the owner lends it to one thread at a time.
class SqliteConnection final : public Connection {
  public:
    /// Opens (creating when `read_only` is false) and applies the connection pragmas.
    /// Throws std::runtime_error when it cannot.
    SqliteConnection(const std::string& path, bool read_only, int busy_timeout_ms);
    ~SqliteConnection() override;
    SqliteConnection(const SqliteConnection&) = delete;
    SqliteConnection& operator=(const SqliteConnection&) = delete;

    Dialect dialect() const noexcept override { return Dialect::sqlite; }
    ResultSet Execute(std::string_view sql, std::span<const Value> params) override;
    using Connection::Execute;
    void ExecuteScript(std::string_view sql) override;

  private:
    [[noreturn]] void Fail(int rc, std::string_view sql, std::span<const Value> params) const;

    sqlite3* db_ = nullptr;
};

}  // namespace gatehouse::store::detail
