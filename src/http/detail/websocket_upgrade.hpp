#pragma once
// The entry into a WebSocket for the HTTP session. Deliberately free of Beast's websocket headers: the
// WebSocket code is compiled in websocket_plain.cpp and websocket_tls.cpp only.

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <string>

#include "http/detail/server_core.hpp"
#include "http/types.hpp"

namespace gatehouse::http::detail {

/// A request the route upgraded, with what the access log and the shutdown registry need.
struct WebSocketUpgrade {
    Request request;
    WebSocketHandler handler;
    std::function<bool()> still_allowed;  // protected routes: false once the caller's credential is revoked
    ConnectionHandle* connection = nullptr;
    const Route* route = nullptr;
    std::string request_id;
    std::string remote;
    std::chrono::steady_clock::time_point started;
};

/// A close code a peer accepts: `code` when RFC 6455 allows sending it, else 1000.
inline std::uint16_t SendableCloseCode(std::uint16_t code) noexcept {
    const bool valid =
        (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1013) || (code >= 3000 && code <= 4999);
    return valid ? code : 1000;
}

/// A close reason that fits a close frame: at most 123 bytes, cut before a UTF-8 sequence rather than inside.
inline std::string SendableCloseReason(std::string reason) {
    constexpr std::size_t kMax = 123;
    if (reason.size() <= kMax) return reason;
    std::size_t cut = kMax;
    while (cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xC0) == 0x80) --cut;
    reason.resize(cut);
    return reason;
}

/// True when a WebSocket handler returned; otherwise logs why it failed (`request_id` names it in the log).
bool WebSocketHandlerEndedWell(std::exception_ptr error, const std::string& request_id);

/// Accepts the WebSocket on the already-read request, logs the access line (101, or the status Beast
/// refused the handshake with), runs the handler and closes. The connection is over when it returns.
boost::asio::awaitable<void> RunWebSocket(ServerCore& core, boost::beast::tcp_stream& stream,
                                          WebSocketUpgrade& upgrade);
boost::asio::awaitable<void> RunWebSocket(ServerCore& core, boost::beast::ssl_stream<boost::beast::tcp_stream>& stream,
                                          WebSocketUpgrade& upgrade);

}  // namespace gatehouse::http::detail
