#pragma once
// The connection loop, shared by the plain and TLS sessions. Included only by session_plain.cpp and
// session_tls.cpp, so each stream type is compiled once.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <tuple>

#include "core/log.hpp"
#include "core/text.hpp"
#include "http/detail/server_core.hpp"
#include "http/detail/websocket_upgrade.hpp"
#include "http/problem.hpp"
#include "http/takeover.hpp"

namespace gatehouse::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
inline constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

/// A client that stopped mid-request or sent a clean EOF is simply gone; anything else the parser
/// reports is a malformed request that deserves a 400.
inline bool IsMalformed(const boost::system::error_code& ec) {
    if (ec.category() != beast_http::make_error_code(beast_http::error::bad_method).category()) return false;
    return ec != beast_http::error::end_of_stream && ec != beast_http::error::partial_message;
}

/// Closes after the response while the client may still be sending: half-close, then read and drop
/// for a moment, so the kernel does not answer the unread bytes with a reset that would destroy
/// the response before the client reads it.
template <class Stream>
asio::awaitable<void> LingeringClose(Stream& stream) {
    auto& tcp = beast::get_lowest_layer(stream);
    boost::system::error_code ignored;
    tcp.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    tcp.expires_after(std::chrono::seconds(2));
    char sink[16384];
    std::size_t total = 0;
    while (total < 1024 * 1024) {
        auto [ec, n] = co_await tcp.async_read_some(asio::buffer(sink), kTuple);
        if (ec) break;
        total += n;
    }
}

template <class Stream>
constexpr bool IsTls(const Stream&) {
    return !std::is_same_v<Stream, beast::tcp_stream>;
}

template <class Stream>
asio::awaitable<bool> WriteResponse(Stream& stream, Response& response, int timeout_s) {
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(timeout_s));
    auto [ec, n] = co_await beast_http::async_write(stream, response, kTuple);
    co_return !ec;
}

/// Writes `response`'s header, then the body `source` produces: as chunks (HTTP/1.1), or until the connection
/// closes (HTTP/1.0, which has no chunks; `response` must not be keep-alive then). Only the header for HEAD.
/// false when the connection must end (the client left, a write timed out, the source failed).
template <class Stream>
asio::awaitable<bool> WriteStreamed(Stream& stream, Response& response, BodySource& source, bool head, bool chunked,
                                    int timeout_s) {
    auto& tcp = beast::get_lowest_layer(stream);
    response.body().clear();
    response.erase(beast_http::field::content_length);
    if (chunked) response.chunked(true);
    beast_http::response_serializer<beast_http::string_body> serializer{response};
    tcp.expires_after(std::chrono::seconds(timeout_s));
    auto [header_ec, header_n] = co_await beast_http::async_write_header(stream, serializer, kTuple);
    if (header_ec) co_return false;
    if (head) co_return true;
    for (;;) {
        std::optional<std::string> piece;
        try {
            piece = co_await source();
        } catch (const std::exception& e) {
            core::LogError("http.body_source_failed", {{"error", e.what()}});
            co_return false;
        }
        if (!piece) break;
        if (piece->empty()) continue;
        tcp.expires_after(std::chrono::seconds(timeout_s));
        std::size_t written = 0;
        boost::system::error_code ec;
        if (chunked) {
            std::tie(ec, written) =
                co_await asio::async_write(stream, beast_http::make_chunk(asio::buffer(*piece)), kTuple);
        } else {
            std::tie(ec, written) = co_await asio::async_write(stream, asio::buffer(*piece), kTuple);
        }
        if (ec) co_return false;
    }
    if (!chunked) co_return true;
    tcp.expires_after(std::chrono::seconds(timeout_s));
    auto [last_ec, last_n] = co_await asio::async_write(stream, beast_http::make_chunk_last(), kTuple);
    co_return !last_ec;
}

/// Marks a response that ends the connection (the request could not be read further), counts it
/// and logs it. The caller writes it and closes with LingeringClose. Deliberately not a coroutine:
/// GCC 12 built the frame of a nine-parameter coroutine here with garbage parameter slots.
inline void PrepareRejection(ServerCore& core, Response& response, std::string_view method, std::string_view target,
                             const Route* route, const std::string& request_id, const std::string& remote,
                             std::chrono::steady_clock::time_point started) {
    response.keep_alive(false);
    core.Finish(nullptr, method, target, response, route, request_id, remote, started);
}

template <class Stream>
asio::awaitable<void> WriteAndLinger(Stream& stream, Response& response, int timeout_s) {
    // Awaited into a local: GCC 12 miscompiles a co_await inside an if condition (SIGILL).
    const bool written = co_await WriteResponse(stream, response, timeout_s);
    if (written) co_await LingeringClose(stream);
}

template <class Stream>
asio::awaitable<void> RunSession(ServerCore& core, Stream& stream, ConnectionHandle& handle,
                                 const std::string& remote) {
    const auto& limits = core.settings.http;
    auto& tcp = beast::get_lowest_layer(stream);
    beast::flat_buffer buffer;
    for (;;) {
        if (buffer.size() == 0) {
            // Idle between requests: the idle timeout applies, and shutdown may close us here.
            if (core.stopping.load()) co_return;
            handle.MarkIdle(true);
            tcp.expires_after(std::chrono::seconds(limits.idle_timeout_s));
            auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), kTuple);
            handle.MarkIdle(false);
            if (ec) co_return;
            buffer.commit(n);
        }
        // From the first byte on, the whole request must arrive within the read timeout.
        tcp.expires_after(std::chrono::seconds(limits.read_timeout_s));
        // The header block is read whole before it is parsed, to refuse line folding (RFC 9112 5.2), which the
        // parser would silently accept.
        std::size_t block_end = std::string_view::npos;
        bool peer_done = false;
        for (;;) {
            const std::string_view data(static_cast<const char*>(buffer.data().data()), buffer.size());
            block_end = HeaderBlockEnd(data);
            if (block_end != std::string_view::npos || buffer.size() > limits.max_header_bytes) break;
            auto [read_ec, read_n] = co_await stream.async_read_some(buffer.prepare(4096), kTuple);
            peer_done = static_cast<bool>(read_ec);
            if (read_ec) break;
            buffer.commit(read_n);
        }
        // The client stopped sending (or failed) before its header block ended: nothing complete can come. Reading
        // again would wait for the read timeout instead of seeing the end a second time.
        if (peer_done && block_end == std::string_view::npos) co_return;
        if (block_end != std::string_view::npos &&
            HasObsoleteFold(std::string_view(static_cast<const char*>(buffer.data().data()), block_end))) {
            Response rejection = Problem(Status::bad_request, "malformed HTTP request: obsolete line folding");
            PrepareRejection(core, rejection, "-", "-", nullptr, core.RequestId({}), remote,
                             std::chrono::steady_clock::now());
            co_await WriteAndLinger(stream, rejection, limits.read_timeout_s);
            co_return;
        }
        beast_http::request_parser<beast_http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
        parser.body_limit(boost::none);  // the route's limit is set once the route is known
        auto [header_ec, header_n] = co_await beast_http::async_read_header(stream, buffer, parser, kTuple);
        const auto started = std::chrono::steady_clock::now();
        if (header_ec) {
            if (header_ec != beast_http::error::header_limit && !IsMalformed(header_ec)) co_return;
            Response rejection =
                header_ec == beast_http::error::header_limit
                    ? Problem(Status::request_header_fields_too_large,
                              "request line and headers exceed " + std::to_string(limits.max_header_bytes) + " bytes")
                    : Problem(Status::bad_request, "malformed HTTP request: " + header_ec.message());
            const std::string request_id = core.RequestId({});
            PrepareRejection(core, rejection, "-", "-", nullptr, request_id, remote, started);
            co_await WriteAndLinger(stream, rejection, limits.read_timeout_s);
            co_return;
        }
        const auto& header = parser.get();
        const std::string request_id = core.RequestId(header["X-Request-Id"]);
        if (core.settings.takeover != nullptr && core.settings.takeover->Wants(header)) {
            LentConnection lent{AnyStream(stream), buffer, parser, remote, request_id, IsTls(stream), core.stopping};
            core.metrics.in_flight().fetch_add(1);
            const bool again = co_await core.settings.takeover->Serve(lent);
            core.metrics.in_flight().fetch_sub(1);
            if (!again || core.stopping.load()) {
                boost::system::error_code ignored;
                tcp.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
                co_return;
            }
            continue;
        }
        auto admission = core.Admit(parser);
        const Route* route = admission.match.route;
        const bool has_body = parser.chunked() || parser.content_length().value_or(0) > 0;
        if (admission.early) {
            Response response = std::move(*admission.early);
            if (has_body || admission.close || core.stopping.load()) {
                PrepareRejection(core, response, header.method_string(), header.target(), route, request_id, remote,
                                 started);
                co_await WriteAndLinger(stream, response, limits.read_timeout_s);
                co_return;
            }
            response.keep_alive(header.keep_alive());
            core.Finish(nullptr, header.method_string(), header.target(), response, route, request_id, remote, started);
            const bool written = co_await WriteResponse(stream, response, limits.read_timeout_s);
            if (!written || !response.keep_alive()) co_return;
            continue;
        }
        if (has_body && gatehouse::core::IEquals(header[beast_http::field::expect], "100-continue")) {
            beast_http::response<beast_http::empty_body> go_on{Status::continue_, 11};
            auto [ec, n] = co_await beast_http::async_write(stream, go_on, kTuple);
            if (ec) co_return;
        }
        parser.body_limit(admission.body_limit);
        auto [body_ec, body_n] = co_await beast_http::async_read(stream, buffer, parser, kTuple);
        if (body_ec) {
            if (body_ec != beast_http::error::body_limit && !IsMalformed(body_ec)) co_return;
            Response rejection =
                body_ec == beast_http::error::body_limit
                    ? Problem(Status::payload_too_large,
                              "request body exceeds the limit of " + std::to_string(admission.body_limit) + " bytes")
                    : Problem(Status::bad_request, "malformed request body: " + body_ec.message());
            PrepareRejection(core, rejection, header.method_string(), header.target(), route, request_id, remote,
                             started);
            co_await WriteAndLinger(stream, rejection, limits.read_timeout_s);
            co_return;
        }
        Request request = parser.release();
        core.metrics.in_flight().fetch_add(1);
        auto handled = co_await core.Handle(request, admission.match, request_id, remote, handle.peer_certificate);
        core.metrics.in_flight().fetch_sub(1);
        if (handled.upgrade) {
            // The connection is the WebSocket's from here to its end.
            WebSocketUpgrade upgrade{std::move(request),
                                     std::move(handled.upgrade),
                                     std::move(handled.still_allowed),
                                     &handle,
                                     route,
                                     request_id,
                                     remote,
                                     started};
            co_await RunWebSocket(core, stream, upgrade);
            co_return;
        }
        Response response = std::move(handled.response);
        const bool chunked = request.version() >= 11;
        response.keep_alive(request.keep_alive() && !core.stopping.load() && (chunked || !handled.body_source));
        core.Finish(&request, request.method_string(), request.target(), response, route, request_id, remote, started);
        bool written = false;
        if (handled.body_source) {
            written = co_await WriteStreamed(stream, response, handled.body_source, request.method() == Verb::head,
                                             chunked, limits.read_timeout_s);
        } else {
            written = co_await WriteResponse(stream, response, limits.read_timeout_s);
        }
        if (!written || !response.keep_alive()) {
            boost::system::error_code ignored;
            tcp.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
            co_return;
        }
    }
}

/// Registers the connection for shutdown, runs it, and always unregisters.
template <class Stream>
asio::awaitable<void> ServeStream(ServerCore& core, Stream& stream, const std::string& remote,
                                  std::string peer_certificate = {}) {
    std::uint64_t id = 0;
    auto handle = core.Register(beast::get_lowest_layer(stream).get_executor(), remote, id);
    handle->peer_certificate = std::move(peer_certificate);
    handle->close_if_idle = [&stream] { beast::get_lowest_layer(stream).cancel(); };
    try {
        co_await RunSession(core, stream, *handle, remote);
    } catch (const std::exception& e) {
        core::LogError("http.connection_error", {{"remote", remote}, {"error", e.what()}});
    }
    handle->close_if_idle = nullptr;
    core.Unregister(id);
}

}  // namespace gatehouse::http::detail
