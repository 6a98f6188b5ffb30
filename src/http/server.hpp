#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/io_pool.hpp"
#include "http/router.hpp"
#include "metrics/registry.hpp"

namespace gatehouse::http {

class Gatekeeper;
class Takeover;

struct ServerSettings {
    config::HttpConfig http;
    config::TlsConfig tls;
    bool access_log = true;
    std::vector<std::string> cors_origins;     // exact origins allowed to call with credentials
    std::vector<std::string> trusted_proxies;  // peers whose X-Forwarded-For is believed
    Gatekeeper* gatekeeper = nullptr;          // required when any route is not public
    Takeover* takeover = nullptr;              // requests served whole by someone else (the gateway's proxy)
    const Route* fallback = nullptr;           // answers GET and HEAD requests no route matched (the web UI)
    /// When set, the server speaks TLS with a context this configures (certificates, client verification) instead
    /// of `tls`'s files.
    std::function<void(boost::asio::ssl::context&)> configure_tls;
};

/// The HTTP/1.1 server: keep-alive, limits, timeouts, request ids, access log, metrics, graceful stop, and
/// WebSocket upgrades for routes that ask for them (RequestContext::upgrade, http/websocket.hpp).
/// Connections are spread over the pool's io_contexts; each stays on one thread for its life.
class Server {
  public:
    Server(core::IoContextPool& pool, ServerSettings settings, const Router& router, metrics::Registry& registry);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Binds and listens. Returns the bound endpoint (port 0 picks a free one). Throws std::runtime_error.
    boost::asio::ip::tcp::endpoint Listen(const std::string& host, std::uint16_t port);

    /// Starts accepting connections. Should accepting fail for good (the loop keeps throwing), `on_fatal` is
    /// called on an I/O thread with the reason.
    void Start(std::function<void(const std::string&)> on_fatal = {});

    /// Stops accepting, closes idle keep-alive connections, sends open WebSockets a close 1001 (and cancels
    /// their handlers once closed), lets in-flight requests finish for up to `grace`, then returns (logging
    /// what is left). Call from a coroutine on one of the pool's contexts.
    boost::asio::awaitable<void> Shutdown(std::chrono::milliseconds grace);

    std::size_t open_connections() const;

  private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace gatehouse::http
