// A WebSocket through the gateway: the upgrade is passed to the upstream, and once both sides agreed the frames
// are relayed as bytes both ways (each side reads only as fast as the other takes, so a slow reader holds back its
// sender). The tunnel ends with a 4401 close when the access token ends.
#include <array>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/empty_body.hpp>

#include "core/errc.hpp"
#include "core/log.hpp"
#include "core/time.hpp"
#include "proxy/proxy_impl.hpp"
#include "proxy/ws_frames.hpp"

namespace gatehouse::proxy {

using detail::kTuple;
namespace asio = detail::asio;
namespace beast = detail::beast;
namespace bhttp = detail::bhttp;
using namespace boost::asio::experimental::awaitable_operators;

namespace {

constexpr std::size_t kChunk = 16 * 1024;
constexpr auto kCheckEvery = std::chrono::milliseconds(200);

struct Pipe {
    http::AnyStream client;
    beast::flat_buffer& client_buffer;
    http::AnyStream upstream;
    beast::flat_buffer& upstream_buffer;
    const gateway::LiveToken& token;
    const std::atomic<bool>& stopping;
    asio::steady_timer* timer = nullptr;
    bool ending = false;  // the token ended (or the server stops): close the client with 4401 (1001)
};

// One side finished: everything else stops (cancelled operations end their coroutines).
void Stop(Pipe& t) {
    t.client.tcp().cancel();
    t.upstream.tcp().cancel();
    if (t.timer) t.timer->cancel();
}

// Client to upstream, bytes as they come.
asio::awaitable<void> ClientToUpstream(Pipe& t) {
    std::array<char, kChunk> chunk;
    if (t.client_buffer.size() > 0) {
        auto [ec, n] = co_await asio::async_write(t.upstream, t.client_buffer.data(), kTuple);
        t.client_buffer.consume(t.client_buffer.size());
        if (ec) {
            Stop(t);
            co_return;
        }
    }
    for (;;) {
        auto [read_ec, n] = co_await t.client.async_read_some(asio::buffer(chunk), kTuple);
        if (read_ec) break;
        auto [write_ec, written] = co_await asio::async_write(t.upstream, asio::buffer(chunk.data(), n), kTuple);
        if (write_ec) break;
    }
    // Ending by the token: the close frame is UpstreamToClient's to send, then it stops everything.
    if (!t.ending) Stop(t);
}

// Upstream to client, keeping track of frame boundaries, so a close frame of the proxy's own never lands inside
// one of the upstream's frames.
asio::awaitable<void> UpstreamToClient(Pipe& t) {
    std::array<char, kChunk> chunk;
    FrameBoundaries frames;
    bool client_gone = false;
    if (t.upstream_buffer.size() > 0) {
        const auto data = t.upstream_buffer.data();
        frames.Advance(std::string_view(static_cast<const char*>(data.data()), data.size()));
        auto [ec, n] = co_await asio::async_write(t.client, data, kTuple);
        t.upstream_buffer.consume(t.upstream_buffer.size());
        client_gone = static_cast<bool>(ec);
    }
    while (!client_gone) {
        auto [read_ec, n] = co_await t.upstream.async_read_some(asio::buffer(chunk), kTuple);
        if (read_ec) break;
        auto [write_ec, written] = co_await asio::async_write(t.client, asio::buffer(chunk.data(), n), kTuple);
        client_gone = static_cast<bool>(write_ec);
        frames.Advance(std::string_view(chunk.data(), n));
    }
    if (t.ending && !client_gone && frames.AtBoundary()) {
        const auto close = t.stopping.load() ? CloseFrame(1001, "gatehouse is shutting down")
                                             : CloseFrame(4401, "access token expired or revoked");
        t.client.tcp().expires_after(std::chrono::seconds(2));
        co_await asio::async_write(t.client, asio::buffer(close), kTuple);
    }
    Stop(t);
}

// Ends the tunnel within kCheckEvery of the token's end: the upstream side is closed, which lets UpstreamToClient
// send the client its close frame.
asio::awaitable<void> Watch(Pipe& t) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    t.timer = &timer;
    for (;;) {
        timer.expires_after(kCheckEvery);
        auto [ec] = co_await timer.async_wait(kTuple);
        if (ec) break;  // stopped: the tunnel ended on its own
        if (t.token.Valid(core::EpochSeconds()) && !t.stopping.load()) continue;
        t.ending = true;
        boost::system::error_code ignored;
        t.upstream.tcp().socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
        t.upstream.tcp().cancel();
        break;
    }
    t.timer = nullptr;
}

}  // namespace

asio::awaitable<bool> GatewayProxy::Impl::Tunnel(http::LentConnection& connection, detail::Admitted& admitted) {
    bhttp::request<bhttp::empty_body> request;
    request.base() = connection.parser.get().base();
    request.method(bhttp::verb::get);
    detail::PrepareUpstreamRequest(request.base(), admitted, connection.peer, connection.client_tls, true);
    std::unique_ptr<UpstreamConnection> upstream;
    std::optional<core::Error> failed;
    try {
        upstream = co_await pool.Acquire(admitted.target, true);
    } catch (const core::Error& e) {
        failed = e;
    }
    if (failed)
        co_return co_await Refuse(
            connection,
            failed->code() == core::errc::timeout ? http::Status::gateway_timeout : http::Status::bad_gateway,
            failed->what(), failed->kind());
    auto upstream_stream = upstream->stream();
    upstream_stream.tcp().expires_after(options.read_timeout);
    auto [write_ec, write_n] = co_await bhttp::async_write(upstream_stream, request, kTuple);
    bhttp::response_parser<bhttp::empty_body> answer;
    answer.header_limit(64 * 1024);
    boost::system::error_code read_ec = write_ec;
    if (!write_ec) {
        auto [ec, n] = co_await bhttp::async_read_header(upstream_stream, upstream->buffer, answer, kTuple);
        read_ec = ec;
    }
    if (read_ec)
        co_return co_await Refuse(connection, http::Status::bad_gateway,
                                  "the upstream did not answer the WebSocket upgrade", "protocol");
    auto& response = answer.get();
    if (response.result() != http::Status::switching_protocols)
        co_return co_await Refuse(
            connection, http::Status::bad_gateway,
            "the upstream refused the WebSocket upgrade with status " + std::to_string(response.result_int()),
            "upgrade_refused");
    detail::PrepareClientResponse(response.base(), admitted.mount, true);
    response.set("X-Request-Id", connection.request_id);
    bhttp::response<bhttp::empty_body> switching{response.base()};
    auto client = connection.stream;
    client.tcp().expires_after(options.read_timeout);
    auto [switch_ec, switch_n] = co_await bhttp::async_write(client, switching, kTuple);
    if (switch_ec) co_return false;

    client.tcp().expires_never();
    upstream_stream.tcp().expires_never();
    const auto& entry = admitted.token->entry;
    usage.WebSocketOpened(entry);
    usage.Record({&entry, connection.peer, connection.parser.get()["User-Agent"], 0, 0});
    Pipe pipe{client, connection.buffer, upstream_stream, upstream->buffer, *admitted.token, connection.stopping};
    co_await (ClientToUpstream(pipe) && UpstreamToClient(pipe) && Watch(pipe));
    usage.WebSocketClosed(entry);
    boost::system::error_code ignored;
    client.tcp().socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    co_return false;
}

}  // namespace gatehouse::proxy
