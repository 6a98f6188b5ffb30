#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "http/detail/session.hpp"

namespace gatehouse::http::detail {

asio::awaitable<void> ServeTls(ServerCore& core, asio::ip::tcp::socket socket, std::string remote) {
    beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *core.ssl);
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(core.settings.http.read_timeout_s));
    auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kTuple);
    if (ec) co_return;  // a failed handshake is the client's problem, not worth a log line each
    co_await ServeStream(core, stream, remote);
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
    co_await stream.async_shutdown(kTuple);
}

}  // namespace gatehouse::http::detail
