#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "http/types.hpp"  // WebSocketHandler

namespace gatehouse::http {

/// A server-side WebSocket connection handed to an upgrade handler; use it on the connection's executor only
/// (the handler runs there; co_spawn helpers onto `co_await boost::asio::this_coro::executor`).
///
/// Concurrency: one Receive at a time (a second Receive while one is pending returns nullopt at once); Send and
/// Close calls are queued behind one another, so one Send may run alongside the pending Receive.
///
/// Keep a Receive pending for the whole connection (a Receive loop, even for a handler that only sends): the
/// connection is read only while one is, and reading is what answers pings, takes the client's close and
/// counts as activity. Without it a client that left goes unnoticed until a Send fails, and the connection is
/// dropped as idle after 5 minutes (the server pings after 150 s of silence, but nobody reads the pong).
///
/// Lifetime: the object lives until the handler's coroutine has returned AND every Send, Receive and Close
/// started by then has completed. When the handler returns, the server closes the connection (1000, or 1011
/// when the handler threw), so a Receive still pending in a coroutine the handler spawned returns nullopt; that
/// coroutine must not touch the WebSocket after it (typical loop: `auto m = co_await ws.Receive(); if (!m)
/// break;`). A spawned coroutine that awaits anything else between its calls must be awaited by the handler
/// before it returns.
///
/// No cancellation: the handler is never cancelled from outside (with Boost 1.81, a terminal cancellation
/// reaching a handler that awaited pool work crashed the process). It learns that the connection ended from
/// its Receive loop (nullopt) and from Send (false); a handler parked on a wait of its own (a timer, a
/// channel) must let its Receive loop wake it, or it holds the connection, and a graceful shutdown, until
/// the wait ends.
///
/// Shutdown: Server::Shutdown sends every open WebSocket a close 1001 "server shutting down" at once; pending
/// and later Receive calls return nullopt, Send calls return false.
class WebSocket {
  public:
    virtual ~WebSocket() = default;
    /// Sends one message (text unless `binary`; text must be UTF-8). false once the connection is gone or the
    /// write failed or took longer than 30 s (the connection is then dropped). Never throws.
    virtual boost::asio::awaitable<bool> Send(std::string message, bool binary = false) = 0;
    /// The next message from the client (at most 64 KiB: a bigger one closes the connection with 1009);
    /// nullopt when the peer closed, the connection failed, or a close was sent. Answers pings meanwhile.
    /// Never throws.
    virtual boost::asio::awaitable<std::optional<std::string>> Receive() = 0;
    /// Sends a close frame (code, reason truncated to 123 bytes on a UTF-8 boundary; an invalid code becomes
    /// 1000) and returns once the peer answered or after 5 s; idempotent (a second call waits for the first).
    /// Never throws.
    virtual boost::asio::awaitable<void> Close(std::uint16_t code, std::string reason) = 0;
    /// True once a close was sent or received or the connection failed.
    virtual bool closed() const noexcept = 0;
};

}  // namespace gatehouse::http
