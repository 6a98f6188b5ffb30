#include <boost/beast/core/tcp_stream.hpp>

#include "http/detail/websocket_session.hpp"

namespace gatehouse::http::detail {

ws_asio::awaitable<void> RunWebSocket(ServerCore& core, boost::beast::tcp_stream& stream, WebSocketUpgrade& upgrade) {
    co_await ServeWebSocket(core, stream, upgrade);
}

}  // namespace gatehouse::http::detail
