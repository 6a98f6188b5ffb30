#pragma once
// A real http::Server on 127.0.0.1 (port 0) with WebSocket test routes, run on its own thread, and the small
// clients and log capture the http tests need. The Beast websocket client stays in websocket_test.cpp.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/io_pool.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "metrics/registry.hpp"

namespace spdlog {
class logger;
}

namespace gatehouse::testing {

/// Routes (all public, GET):
///   /plain                 200 "ok"
///   /stream?n=N&fail_at=K  200, a streamed body "piece 0\n".."piece N-1\n"; the source throws at piece K
///   /ws/echo               echoes every message until the client leaves
///   /ws/count?n=N          sends "message 0".."message N-1", then closes 4000 "done after N"
///   /ws/throw              sends "about to fail", then throws
///   /ws/park               waits an hour on a timer, woken by its Receive loop when the connection ends
///   /ws/flood              sends 60 KiB messages as fast as the client takes them, never receives
///   /ws/offload            awaits work on a worker pool and sends its result, over and over, until the client leaves
///   /ws/push               spawns a Receive loop, sends "tick" every 20 ms until the client leaves
class TestServer {
  public:
    /// TLS when `tls` names a certificate and key.
    explicit TestServer(config::TlsConfig tls = {});
    ~TestServer();
    TestServer(const TestServer&) = delete;
    TestServer& operator=(const TestServer&) = delete;

    std::uint16_t port() const noexcept { return port_; }
    /// Runs Server::Shutdown(grace) on the server's thread; returns how long it took.
    std::chrono::milliseconds Shutdown(std::chrono::milliseconds grace);
    std::string Metrics() const { return registry_.Render(); }
    std::size_t open_connections() const { return server_->open_connections(); }
    /// WebSocket handlers (of the routes above) that have returned or thrown.
    int handlers_finished() const noexcept { return finished_->load(); }

  private:
    core::IoContextPool pool_{1};
    metrics::Registry registry_;
    http::Router router_;
    std::shared_ptr<std::atomic<int>> finished_ = std::make_shared<std::atomic<int>>(0);
    std::unique_ptr<http::Server> server_;
    std::thread thread_;
    std::uint16_t port_ = 0;
    bool shut_down_ = false;
};

struct HttpReply {
    unsigned status = 0;
    std::string content_type;
    std::string upgrade;
    std::string body;
    std::string transfer_encoding;
};

/// One keep-alive HTTP/1.1 connection, synchronous. Throws boost::system::system_error.
class HttpClient {
  public:
    explicit HttpClient(std::uint16_t port);
    ~HttpClient();
    HttpReply Get(const std::string& target);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Captures log lines (the access log included) while it lives; restores the previous logger after.
class LogCapture {
  public:
    LogCapture();
    ~LogCapture();
    LogCapture(const LogCapture&) = delete;
    LogCapture& operator=(const LogCapture&) = delete;
    std::vector<std::string> Lines() const;
    /// Waits up to `limit` for a line containing `text`; returns it (empty when none came).
    std::string WaitFor(const std::string& text, std::chrono::milliseconds limit = std::chrono::seconds(5)) const;

  private:
    struct Sink;
    std::shared_ptr<Sink> sink_;
    std::shared_ptr<spdlog::logger> previous_;
};

/// Polls `condition` every 10 ms for up to `limit`.
template <class Condition>
bool Eventually(Condition condition, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

}  // namespace gatehouse::testing
