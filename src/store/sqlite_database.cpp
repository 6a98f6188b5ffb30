#include <memory>
#include <string>

#include "store/database.hpp"
#include "store/pool.hpp"
#include "store/sqlite_connection.hpp"

namespace gatehouse::store {
namespace {

using detail::SqliteConnection;

/// SQLite allows one writer at a time, so all writes share one connection on one thread (no
/// SQLITE_BUSY between our own writers); readers get their own connections and, thanks to WAL,
/// never block the writer.
class SqliteDatabase final : public Database {
  public:
    SqliteDatabase(const std::string& path, const SqliteOptions& options)
        : writer_(1,
                  [path, options] { return std::make_unique<SqliteConnection>(path, false, options.busy_timeout_ms); }),
          readers_(options.readers,
                   [path, options] { return std::make_unique<SqliteConnection>(path, true, options.busy_timeout_ms); }),
          write_pool_("sqlite-write", 1, options.max_queued),
          read_pool_("sqlite-read", options.readers == 0 ? 1 : options.readers, options.max_queued) {
        writer_.Prefill(1);  // first: creates the file and switches it to WAL
        readers_.Prefill(options.readers);
    }

    ~SqliteDatabase() override {
        // Queued jobs still hold references to the connections.
        read_pool_.Join();
        write_pool_.Join();
    }

    Dialect dialect() const noexcept override { return Dialect::sqlite; }

    PoolStats Stats() const override {
        const PoolStats w = writer_.Stats();
        const PoolStats r = readers_.Stats();
        return PoolStats{w.size + r.size, w.in_use + r.in_use, w.waiting + r.waiting,
                         w.wait_seconds_total + r.wait_seconds_total};
    }

    void WithRead(const std::function<void(Connection&)>& fn) override {
        auto lease = readers_.Acquire();
        fn(*lease);
    }

    void WithTransaction(const std::function<void(Connection&)>& fn) override {
        // The writer is meant for the write pool's single thread, but blocking callers (start-up,
        // migrations, tools) may use it too; the pool serialises them.
        auto lease = writer_.Acquire();
        detail::RunTransaction(*lease, "BEGIN IMMEDIATE", fn);
    }

    core::WorkerPool& read_pool() override { return read_pool_; }
    core::WorkerPool& write_pool() override { return write_pool_; }

  private:
    detail::Pool<SqliteConnection> writer_;
    detail::Pool<SqliteConnection> readers_;
    core::WorkerPool write_pool_;
    core::WorkerPool read_pool_;
};

}  // namespace

std::unique_ptr<Database> OpenSqlite(const std::string& path, const SqliteOptions& options) {
    return std::make_unique<SqliteDatabase>(path, options);
}

}  // namespace gatehouse::store
