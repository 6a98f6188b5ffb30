#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/ssl.hpp>  // the TLS teardown of a closing WebSocket

#include "http/detail/websocket_session.hpp"

namespace gatehouse::http::detail {

ws_asio::awaitable<void> RunWebSocket(ServerCore& core, boost::beast::ssl_stream<boost::beast::tcp_stream>& stream,
                                      WebSocketUpgrade& upgrade) {
    co_await ServeWebSocket(core, stream, upgrade);
}

}  // namespace gatehouse::http::detail
