#include <boost/beast/core/tcp_stream.hpp>

#include "http/detail/session.hpp"

namespace gatehouse::http::detail {

asio::awaitable<void> ServePlain(ServerCore& core, asio::ip::tcp::socket socket, std::string remote) {
    beast::tcp_stream stream(std::move(socket));
    co_await ServeStream(core, stream, remote);
}

}  // namespace gatehouse::http::detail
