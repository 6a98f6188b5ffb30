#include "store/postgres_listener.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace gatehouse::store::detail {
namespace {

using namespace std::chrono_literals;

class PostgresListener final : public Subscription {
  public:
    PostgresListener(std::string url, SessionSettings settings, std::string channel, ListenCallbacks callbacks)
        : url_(std::move(url)),
          settings_(settings),
          channel_(std::move(channel)),
          callbacks_(std::move(callbacks)),
          thread_([this] { Run(); }) {}

    ~PostgresListener() override {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        thread_.join();
    }

  private:
    bool Stopping() {
        std::lock_guard lock(mutex_);
        return stopping_;
    }

    // Waits `delay` unless asked to stop; true when stopping.
    bool Sleep(std::chrono::milliseconds delay) {
        std::unique_lock lock(mutex_);
        return wake_.wait_for(lock, delay, [this] { return stopping_; });
    }

    void Lost(std::string_view why) {
        if (callbacks_.lost) callbacks_.lost(why);
    }

    void Run() {
        auto backoff = 250ms;
        while (!Stopping()) {
            std::string error;
            pg_conn* conn = ConnectPostgres(url_, settings_, error);
            if (conn != nullptr) {
                Serve(conn, error);
                PQfinish(conn);
                backoff = 250ms;
            }
            if (Stopping()) return;
            Lost(error);
            if (Sleep(backoff)) return;
            backoff = std::min<std::chrono::milliseconds>(backoff * 2, 5000ms);
        }
    }

    // Listens on `conn` until it breaks or the listener stops; `error` says why it broke.
    void Serve(pg_conn* conn, std::string& error) {
        char* quoted = PQescapeIdentifier(conn, channel_.c_str(), channel_.size());
        if (quoted == nullptr) {
            error = "cannot quote the channel name";
            return;
        }
        const std::string listen = std::string("LISTEN ") + quoted;
        PQfreemem(quoted);
        PGresult* result = PQexec(conn, listen.c_str());
        const bool listening = result != nullptr && PQresultStatus(result) == PGRES_COMMAND_OK;
        PQclear(result);
        if (!listening) {
            error = PQerrorMessage(conn);
            return;
        }
        if (callbacks_.connected) callbacks_.connected();
        while (!Stopping()) {
            pollfd p{PQsocket(conn), POLLIN, 0};
            ::poll(&p, 1, 250);
            if (PQconsumeInput(conn) == 0 || PQstatus(conn) != CONNECTION_OK) {
                error = PQerrorMessage(conn);
                return;
            }
            while (PGnotify* note = PQnotifies(conn)) {
                const std::string payload = note->extra != nullptr ? note->extra : "";
                PQfreemem(note);
                if (callbacks_.message) callbacks_.message(payload);
            }
        }
    }

    const std::string url_;
    const SessionSettings settings_;
    const std::string channel_;
    const ListenCallbacks callbacks_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;  // last: started once everything above is set
};

}  // namespace

std::unique_ptr<Subscription> ListenPostgres(std::string url, SessionSettings settings, std::string channel,
                                             ListenCallbacks callbacks) {
    return std::make_unique<PostgresListener>(std::move(url), settings, std::move(channel), std::move(callbacks));
}

}  // namespace gatehouse::store::detail
