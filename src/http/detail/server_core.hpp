#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/parser.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "http/detail/http_metrics.hpp"
#include "http/router.hpp"
#include "http/server.hpp"

namespace gatehouse::http::detail {

/// A live connection, as the server sees it for shutdown and for the connection caps.
struct ConnectionHandle {
    boost::asio::any_io_executor executor;
    std::string address;                      // the peer's address
    std::function<void()> close_if_idle;      // run on `executor`
    std::function<void()> close_websocket;    // set while the connection is a WebSocket; run on `executor`
    std::atomic<bool> idle{false};            // waiting for a request (written on `executor`, read by the acceptor)
    std::atomic<std::int64_t> idle_since{0};  // steady_clock ticks when it went idle
    std::atomic<bool> closing{false};         // picked to make room; no longer counted against a cap
    std::string peer_certificate;             // SHA-256 hex of the TLS client certificate; empty without one

    void MarkIdle(bool now_idle);
};

/// What the per-connection coroutines share. Non-template, so the TLS and plain sessions compile
/// the request pipeline once.
struct ServerCore {
    ServerCore(const ServerSettings& settings, const Router& router, metrics::Registry& registry);

    ServerSettings settings;
    const Router& router;
    HttpMetrics metrics;
    std::optional<boost::asio::ssl::context> ssl;
    std::atomic<bool> stopping{false};

    /// Makes room for a new connection from `address` (close to its cap, or to the total cap): closes the idlest
    /// connections of that address, or of everyone. false when there is no room to make: every connection it
    /// would have to close is busy; the new connection is then refused.
    bool MakeRoom(const std::string& address);
    std::shared_ptr<ConnectionHandle> Register(boost::asio::any_io_executor executor, std::string address,
                                               std::uint64_t& id);
    void Unregister(std::uint64_t id);
    /// Closes idle keep-alive connections and sends open WebSockets their 1001 close. Repeatable.
    void CloseIdleConnections();
    std::size_t open_connections() const;

    /// A fresh request id, or the client's when it is sane.
    std::string RequestId(std::string_view from_client);

    /// Routes the header, answers what can be answered before the body is read (404, 405, 413).
    struct Admission {
        RouteMatch match;
        std::optional<Response> early;  // set: answer this (and close, if there is a body or `close`)
        bool close = false;             // the message's framing cannot be trusted: close after `early`
        std::uint64_t body_limit = 0;
    };
    Admission Admit(const beast_http::request_parser<beast_http::string_body>& parser) const;

    /// What a route answered: a response, or (when `upgrade` is set) a WebSocket to run instead.
    struct Handled {
        Response response;
        WebSocketHandler upgrade;             // set only for a WebSocket upgrade request whose handler asked for it
        std::function<bool()> still_allowed;  // with `upgrade` on a protected route: the revocation check
        BodySource body_source;               // set when the handler streams its response's body
    };
    /// Runs the handler and turns every failure into a problem response; 426 when the handler wants a
    /// WebSocket but the request is no upgrade, 403 for an upgrade from a foreign browser origin.
    boost::asio::awaitable<Handled> Handle(const Request& request, RouteMatch& match, const std::string& request_id,
                                           const std::string& remote, const std::string& peer_certificate);

    /// The client's address: the peer, or what a trusted proxy says in X-Forwarded-For.
    std::string ClientAddress(const Request& request, const std::string& peer) const;
    bool OriginAllowed(std::string_view origin) const;
    /// A WebSocket upgrade without Origin (not a browser), from the server's own origin or an allowed one.
    /// Browsers do not apply CORS to WebSockets, so this is what stops a foreign page riding on cookies.
    bool UpgradeOriginAllowed(const Request& request) const;
    /// Answers a CORS preflight (OPTIONS with Access-Control-Request-Method).
    Response Preflight(const beast_http::request_header<>& header, std::string_view path) const;
    /// Security headers on every response; CORS headers for allowed origins.
    void AddBrowserHeaders(const Request* request, Response& response) const;

    /// Adds the headers every response carries, counts it and writes the access-log line.
    void Finish(const Request* request, std::string_view method, std::string_view target, Response& response,
                const Route* route, const std::string& request_id, const std::string& remote,
                std::chrono::steady_clock::time_point started);

  private:
    /// Closes up to `count` of the idlest connections among `ids`; how many it picked. Caller holds mutex_.
    std::size_t CloseIdlest(const std::vector<std::uint64_t>& ids, std::size_t count);
    bool TrustedProxy(std::string_view address) const;

    mutable std::mutex mutex_;
    std::unordered_map<std::uint64_t, std::shared_ptr<ConnectionHandle>> connections_;
    std::unordered_map<std::string, std::vector<std::uint64_t>> by_address_;
    std::uint64_t next_connection_ = 1;
    std::string id_prefix_;
    std::atomic<std::uint64_t> next_request_{1};
};

/// Where the header block in `data` ends (just past its empty line), or npos when it is not complete yet.
std::size_t HeaderBlockEnd(std::string_view data) noexcept;
/// Whether a header block folds a field over several lines (obs-fold), which RFC 9112 says to refuse.
bool HasObsoleteFold(std::string_view header_block) noexcept;
/// Why a request's Transfer-Encoding is refused (RFC 9112: only "chunked", only on HTTP/1.1), or empty.
std::string TransferEncodingProblem(const beast_http::request_header<>& header);

/// Runs one connection to its end. `socket` is already bound to the connection's strand.
boost::asio::awaitable<void> ServePlain(ServerCore& core, boost::asio::ip::tcp::socket socket, std::string remote);
boost::asio::awaitable<void> ServeTls(ServerCore& core, boost::asio::ip::tcp::socket socket, std::string remote);

}  // namespace gatehouse::http::detail
