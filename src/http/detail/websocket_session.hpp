#pragma once
// The http::WebSocket implementation for one stream type. Beast's websocket stream is heavy to compile:
// included only by websocket_plain.cpp and websocket_tls.cpp, so each stream type is compiled once.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "core/log.hpp"
#include "http/detail/websocket_upgrade.hpp"
#include "http/websocket.hpp"

namespace gatehouse::http::detail {

namespace ws_asio = boost::asio;
namespace ws_beast = boost::beast;
namespace websocket = boost::beast::websocket;

inline constexpr std::size_t kWebSocketMaxMessage = 64 * 1024;  // the client mostly listens
inline constexpr std::chrono::seconds kWebSocketWriteTimeout{30};
inline constexpr std::chrono::seconds kWebSocketCloseTimeout{5};
// How often an open WebSocket checks that its caller's credential still stands (revocation reaches it within this).
inline constexpr std::chrono::milliseconds kWebSocketRevocationCheck{250};
// The close code of a WebSocket whose caller was logged out, disabled, demoted below the route, or revoked.
inline constexpr std::uint16_t kWebSocketRevoked = 4401;

/// One accepted WebSocket. Owned by a shared_ptr: every operation in progress holds one, so a completion
/// never finds the object gone. Everything runs on the connection's executor, so no member needs a lock.
template <class Stream>
class WebSocketSession final : public WebSocket, public std::enable_shared_from_this<WebSocketSession<Stream>> {
  public:
    explicit WebSocketSession(Stream& stream)
        : stream_(stream),
          ws_(stream),
          watchdog_(stream.get_executor()),
          shutdown_deadline_(stream.get_executor()),
          revocation_(stream.get_executor()),
          changed_(stream.get_executor()) {
        // A timer that never expires is a condition variable: cancel() wakes every waiter.
        changed_.expires_at(std::chrono::steady_clock::time_point::max());
    }

    // The public calls run with this_coro::throw_if_cancelled off, so a caller that was cancelled gets a value,
    // never an exception from inside, and the bookkeeping below always completes.
    ws_asio::awaitable<bool> Send(std::string message, bool binary) override {
        const bool throws = co_await ws_asio::this_coro::throw_if_cancelled();
        co_await ws_asio::this_coro::throw_if_cancelled(false);
        const bool sent = co_await DoSend(std::move(message), binary);
        co_await ws_asio::this_coro::throw_if_cancelled(throws);
        co_return sent;
    }

    ws_asio::awaitable<std::optional<std::string>> Receive() override {
        const bool throws = co_await ws_asio::this_coro::throw_if_cancelled();
        co_await ws_asio::this_coro::throw_if_cancelled(false);
        auto message = co_await DoReceive();
        co_await ws_asio::this_coro::throw_if_cancelled(throws);
        co_return message;
    }

    ws_asio::awaitable<void> Close(std::uint16_t code, std::string reason) override {
        own_close_ = true;
        const bool throws = co_await ws_asio::this_coro::throw_if_cancelled();
        co_await ws_asio::this_coro::throw_if_cancelled(false);
        co_await DoClose(code, std::move(reason));
        co_await ws_asio::this_coro::throw_if_cancelled(throws);
    }

    bool closed() const noexcept override { return close_started_ || failed_ || !ws_.is_open(); }

    /// The handshake on the request the HTTP session read; logs the access line. false: not upgraded.
    ws_asio::awaitable<bool> Accept(ServerCore& core, WebSocketUpgrade& upgrade) {
        ws_beast::get_lowest_layer(stream_).expires_never();  // the WebSocket's own timeouts apply from here
        ws_.set_option(websocket::stream_base::timeout::suggested(ws_beast::role_type::server));
        ws_.set_option(websocket::permessage_deflate{});  // all off: per-connection memory for little gain
        ws_.read_message_max(kWebSocketMaxMessage);
        ws_.set_option(websocket::stream_base::decorator(
            [this, core_ptr = &core, id = upgrade.request_id](websocket::response_type& response) {
                core_ptr->AddBrowserHeaders(nullptr, response);
                response.set("X-Request-Id", id);
                handshake_status_ = response.result_int();
            }));
        auto [ec] = co_await ws_.async_accept(upgrade.request, ws_asio::as_tuple(ws_asio::use_awaitable));
        const unsigned status = !ec ? 101 : handshake_status_ ? handshake_status_ : 400;
        Response logged{static_cast<Status>(status), upgrade.request.version()};
        core.Finish(&upgrade.request, upgrade.request.method_string(), upgrade.request.target(), logged, upgrade.route,
                    upgrade.request_id, upgrade.remote, upgrade.started);
        co_return !ec;
    }

    /// Runs the handler. false: it failed (logged). No cancellation is sent into it: with Boost 1.81 a
    /// terminal cancellation reaching a handler that awaits pool work (core::Offload, the database)
    /// crashed the process; the handler learns the end from Receive (nullopt) and Send (false).
    ws_asio::awaitable<bool> RunHandler(const WebSocketUpgrade& upgrade) {
        std::exception_ptr error;
        handler_running_ = true;
        try {
            auto body = upgrade.handler(*this);
            auto token = ws_asio::as_tuple(ws_asio::use_awaitable);
            auto [thrown] = co_await ws_asio::co_spawn(stream_.get_executor(), std::move(body), token);
            error = thrown;
        } catch (...) {
            error = std::current_exception();  // the handler threw before its first suspension
        }
        handler_running_ = false;
        co_return WebSocketHandlerEndedWell(error, upgrade.request_id);
    }

    /// Server shutdown: close 1001 now, then cancel the handler. Idempotent; on the executor.
    void BeginShutdown() {
        if (shutting_down_ || ended_) return;
        shutting_down_ = true;
        // A Send stuck on a peer that does not read holds the close back: past the close timeout, drop it.
        shutdown_deadline_.expires_after(kWebSocketCloseTimeout);
        shutdown_deadline_.async_wait([weak = this->weak_from_this()](const boost::system::error_code& ec) {
            auto self = weak.lock();
            if (!ec && self) self->DropConnection();
        });
        ws_asio::co_spawn(stream_.get_executor(), ShutdownClose(),
                          [pending = std::make_shared<Pending>(*this)](std::exception_ptr error) {
                              WebSocketHandlerEndedWell(error, "shutdown");
                          });
    }

    /// Checks `still_allowed` every kWebSocketRevocationCheck while the connection is open; once it says false, the
    /// connection is closed with 4401 and the handler learns the end as from any close. On the executor.
    void WatchCaller(std::function<bool()> still_allowed) {
        if (!still_allowed) return;
        still_allowed_ = std::move(still_allowed);
        ArmRevocationCheck();
    }

    /// After the handler: close if nobody did, wait for every operation in progress, drop the connection.
    ws_asio::awaitable<void> End(bool handler_failed) {
        const std::uint16_t code = handler_failed ? 1011 : 1000;
        std::string reason = handler_failed ? "internal error" : "";
        co_await DoClose(code, std::move(reason));
        // A clean close also ends a pending Receive; anything still waiting now is woken by the socket closing.
        if (pending_ > 0) DropConnection();
        while (pending_ > 0) {
            co_await changed_.async_wait(ws_asio::as_tuple(ws_asio::use_awaitable));
        }
        DropConnection();
        // The stream belongs to the HTTP session, which ends now: nothing may touch it from here on.
        ended_ = true;
        shutdown_deadline_.cancel();
        revocation_.cancel();
        DisarmWatchdog();
    }

  private:
    /// Counts an operation in progress and keeps the object alive for it.
    struct Pending {
        explicit Pending(WebSocketSession& session) : self(session.shared_from_this()) { ++self->pending_; }
        ~Pending() {
            --self->pending_;
            self->Notify();
        }
        Pending(const Pending&) = delete;
        Pending& operator=(const Pending&) = delete;
        std::shared_ptr<WebSocketSession> self;
    };

    bool Usable() const noexcept { return ws_.is_open() && !close_started_ && !failed_; }
    void Notify() { changed_.cancel(); }

    ws_asio::awaitable<bool> DoSend(std::string message, bool binary) {
        if (!Usable()) co_return false;
        Pending pending(*this);
        co_await LockWrite();
        bool sent = false;
        if (Usable()) {
            ws_.binary(binary);
            ArmWatchdog(kWebSocketWriteTimeout);
            auto [ec, n] =
                co_await ws_.async_write(ws_asio::buffer(message), ws_asio::as_tuple(ws_asio::use_awaitable));
            DisarmWatchdog();
            sent = !ec;
            if (ec) ConnectionLost(true);
        }
        UnlockWrite();
        co_return sent;
    }

    ws_asio::awaitable<std::optional<std::string>> DoReceive() {
        if (reading_) {
            core::LogWarn("http.websocket_concurrent_receive");
            co_return std::nullopt;
        }
        if (!Usable()) co_return std::nullopt;
        Pending pending(*this);
        reading_ = true;
        ws_beast::flat_buffer buffer;
        auto [ec, n] = co_await ws_.async_read(buffer, ws_asio::as_tuple(ws_asio::use_awaitable));
        reading_ = false;
        if (ec) {
            ConnectionLost(ec != websocket::error::closed);
            co_return std::nullopt;
        }
        co_return ws_beast::buffers_to_string(buffer.data());
    }

    ws_asio::awaitable<void> DoClose(std::uint16_t code, std::string reason) {
        Pending pending(*this);
        if (close_started_) {
            while (!close_done_) {
                co_await changed_.async_wait(ws_asio::as_tuple(ws_asio::use_awaitable));
            }
            co_return;
        }
        close_started_ = true;
        co_await LockWrite();
        if (ws_.is_open() && !failed_) {
            websocket::close_reason frame;
            frame.code = SendableCloseCode(code);
            const std::string text = SendableCloseReason(std::move(reason));
            frame.reason.assign(text.data(), text.size());
            ArmWatchdog(kWebSocketCloseTimeout);
            co_await ws_.async_close(frame, ws_asio::as_tuple(ws_asio::use_awaitable));  // failure: nothing to do
            DisarmWatchdog();
        }
        close_done_ = true;
        UnlockWrite();
    }

    ws_asio::awaitable<void> ShutdownClose() {
        std::string reason = "server shutting down";
        co_await DoClose(1001, std::move(reason));
        StopHandler();
    }

    void ArmRevocationCheck() {
        revocation_.expires_after(kWebSocketRevocationCheck);
        revocation_.async_wait([weak = this->weak_from_this()](const boost::system::error_code& ec) {
            auto self = weak.lock();
            if (ec || !self || self->ended_ || self->close_started_ || self->failed_) return;
            if (self->still_allowed_()) {
                self->ArmRevocationCheck();
                return;
            }
            ws_asio::co_spawn(self->stream_.get_executor(), self->RevokedClose(),
                              [pending = std::make_shared<Pending>(*self)](std::exception_ptr error) {
                                  WebSocketHandlerEndedWell(error, "revoked");
                              });
        });
    }

    ws_asio::awaitable<void> RevokedClose() {
        std::string reason = "credentials revoked";
        co_await DoClose(kWebSocketRevoked, std::move(reason));
        StopHandler();
    }

    ws_asio::awaitable<void> LockWrite() {
        while (writing_) {
            co_await changed_.async_wait(ws_asio::as_tuple(ws_asio::use_awaitable));
        }
        writing_ = true;
    }
    void UnlockWrite() {
        writing_ = false;
        Notify();
    }

    /// A write or close that takes too long drops the connection: its operation then fails at once.
    void ArmWatchdog(std::chrono::seconds limit) {
        const auto generation = ++watchdog_generation_;
        watchdog_.expires_after(limit);
        watchdog_.async_wait([weak = this->weak_from_this(), generation](const boost::system::error_code& ec) {
            auto self = weak.lock();
            if (!ec && self && self->watchdog_generation_ == generation) self->DropConnection();
        });
    }
    void DisarmWatchdog() {
        ++watchdog_generation_;
        watchdog_.cancel();
    }
    /// Closes the socket: every operation on it fails at once.
    void DropConnection() {
        if (ended_) return;
        failed_ = true;
        ws_beast::get_lowest_layer(stream_).close();
    }

    /// The peer closed or the connection failed: unless the handler closed it itself, wake the handler.
    void ConnectionLost(bool failure) {
        if (failure) failed_ = true;
        if (!own_close_) StopHandler();
    }
    void StopHandler() {
        if (!handler_running_ || handler_stopped_) return;
        handler_stopped_ = true;
    }

    Stream& stream_;
    websocket::stream<Stream&> ws_;
    ws_asio::steady_timer watchdog_;
    ws_asio::steady_timer shutdown_deadline_;
    ws_asio::steady_timer revocation_;
    ws_asio::steady_timer changed_;
    std::function<bool()> still_allowed_;
    std::uint64_t watchdog_generation_ = 0;
    int pending_ = 0;
    unsigned handshake_status_ = 0;
    bool reading_ = false;
    bool writing_ = false;
    bool close_started_ = false;
    bool close_done_ = false;
    bool own_close_ = false;
    bool failed_ = false;
    bool shutting_down_ = false;
    bool ended_ = false;
    bool handler_running_ = false;
    bool handler_stopped_ = false;
};

/// Accept, run the handler, close; registered for shutdown while the handler runs.
template <class Stream>
ws_asio::awaitable<void> ServeWebSocket(ServerCore& core, Stream& stream, WebSocketUpgrade& upgrade) {
    auto session = std::make_shared<WebSocketSession<Stream>>(stream);
    const bool accepted = co_await session->Accept(core, upgrade);
    if (!accepted) co_return;
    core.metrics.websockets_open().fetch_add(1);
    upgrade.connection->close_websocket = [weak = std::weak_ptr(session)] {
        if (auto alive = weak.lock()) alive->BeginShutdown();
    };
    if (core.stopping.load()) session->BeginShutdown();
    session->WatchCaller(std::move(upgrade.still_allowed));
    const bool handler_ok = co_await session->RunHandler(upgrade);
    co_await session->End(!handler_ok);
    upgrade.connection->close_websocket = nullptr;
    core.metrics.websockets_open().fetch_sub(1);
}

}  // namespace gatehouse::http::detail
