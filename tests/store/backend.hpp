#pragma once

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <thread>

#include "store/database.hpp"

namespace gatehouse::store::test {

enum class Backend { sqlite, postgres };

std::string BackendName(const ::testing::TestParamInfo<Backend>& info);
inline void PrintTo(Backend b, std::ostream* os) { *os << (b == Backend::sqlite ? "sqlite" : "postgres"); }

/// Runs every test over both backends: SQLite in a fresh temporary file, PostgreSQL in a fresh
/// database on the binary's shared fixture server (a server that cannot start fails the test).
class BackendTest : public ::testing::TestWithParam<Backend> {
  protected:
    void SetUp() override;
    void TearDown() override;

    Database& db() { return *db_; }
    Dialect dialect() const { return GetParam() == Backend::sqlite ? Dialect::sqlite : Dialect::postgres; }
    /// Another independent handle on the same database (as a second process would have).
    std::unique_ptr<Database> OpenAnother(std::size_t connections = 4);
    /// DDL that differs only in the blob type: {BLOB} is replaced by BLOB or BYTEA.
    void CreateTables(std::string ddl);
    std::int64_t Count(const std::string& table);

    std::unique_ptr<Database> db_;

  private:
    std::string sqlite_dir_;
    std::string pg_url_;
};

/// Runs `aw` on a fresh io_context on this thread and returns its result (or rethrows).
template <class T>
T RunAsync(boost::asio::io_context& io, boost::asio::awaitable<T> aw) {
    std::exception_ptr error;
    std::optional<T> result;
    boost::asio::co_spawn(io, std::move(aw), [&](std::exception_ptr e, T value) {
        error = e;
        if (!e) result.emplace(std::move(value));
    });
    io.run();
    io.restart();
    if (error) std::rethrow_exception(error);
    return std::move(*result);
}

}  // namespace gatehouse::store::test
