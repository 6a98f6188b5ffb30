#include <memory>
#include <string>

#include "store/database.hpp"
#include "store/pool.hpp"
#include "store/postgres_connection.hpp"
#include "store/postgres_listener.hpp"

namespace gatehouse::store {
namespace {

using detail::PostgresConnection;

/// A pool of libpq connections, one per worker thread, so a job never waits for a connection
/// unless blocking callers outside the pool compete for them too.
class PostgresDatabase final : public Database {
  public:
    PostgresDatabase(const std::string& url, const PostgresOptions& options)
        : url_(url),
          settings_{options.connect_timeout_s, options.statement_timeout_ms, "gatehouse"},
          connections_(
              options.pool_size,
              [url, settings = settings_] { return std::make_unique<PostgresConnection>(url, settings); },
              std::chrono::milliseconds(options.acquire_timeout_ms)),
          pool_("postgres", options.pool_size == 0 ? 1 : options.pool_size, options.max_queued) {
        // One connection now so that a wrong URL or a down server fails at start-up; the rest
        // connect on first use.
        connections_.Prefill(1);
    }

    ~PostgresDatabase() override { pool_.Join(); }

    Dialect dialect() const noexcept override { return Dialect::postgres; }
    PoolStats Stats() const override { return connections_.Stats(); }

    void WithRead(const std::function<void(Connection&)>& fn) override {
        auto lease = Acquire();
        fn(*lease);
    }

    void WithTransaction(const std::function<void(Connection&)>& fn) override {
        auto lease = Acquire();
        detail::RunTransaction(*lease, "BEGIN", fn);
    }

    core::WorkerPool& read_pool() override { return pool_; }
    core::WorkerPool& write_pool() override { return pool_; }

    std::unique_ptr<Subscription> Listen(std::string channel, ListenCallbacks callbacks,
                                         std::string application_name) override {
        detail::SessionSettings settings = settings_;
        settings.application_name = application_name;
        return detail::ListenPostgres(url_, settings, std::move(channel), std::move(callbacks));
    }

  private:
    detail::Pool<PostgresConnection>::Lease Acquire() {
        auto lease = [this] {
            try {
                return connections_.Acquire();
            } catch (const std::runtime_error& e) {
                if (dynamic_cast<const core::Error*>(&e) != nullptr) throw;
                // A lazy connect failed: to callers that is the database being unavailable.
                throw core::Error(core::errc::unavailable, "database is busy", e.what());
            }
        }();
        lease->Prepare();
        return lease;
    }

    const std::string url_;
    const detail::SessionSettings settings_;
    detail::Pool<PostgresConnection> connections_;
    core::WorkerPool pool_;
};

}  // namespace

std::unique_ptr<Database> OpenPostgres(const std::string& url, const PostgresOptions& options) {
    return std::make_unique<PostgresDatabase>(url, options);
}

}  // namespace gatehouse::store
