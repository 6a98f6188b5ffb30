// End to end over loopback: a real http::Server with WebSocket routes (test_server.cpp) and a synchronous Beast
// WebSocket client. Its own TU: the Beast websocket client is heavy to compile.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <future>

#include "http/test_server.hpp"

namespace gatehouse::testing {
namespace {

namespace asio = boost::asio;
namespace websocket = boost::beast::websocket;
using namespace std::chrono_literals;

class WsClient {
  public:
    WsClient(std::uint16_t port, const std::string& target, const std::string& origin = {}) {
        ws_.next_layer().connect({asio::ip::make_address("127.0.0.1"), port});
        if (!origin.empty()) {
            ws_.set_option(websocket::stream_base::decorator(
                [origin](websocket::request_type& request) { request.set("Origin", origin); }));
        }
        ws_.handshake(response_, "127.0.0.1:" + std::to_string(port), target, handshake_error_);
    }
    bool open() const { return !handshake_error_; }
    unsigned handshake_status() const { return response_.result_int(); }
    void Write(const std::string& text) { ws_.write(asio::buffer(text)); }
    std::string Read() {
        boost::beast::flat_buffer buffer;
        ws_.read(buffer);
        return boost::beast::buffers_to_string(buffer.data());
    }
    /// Reads (skipping messages) until the server closes; its close frame, or code 0 when there was none.
    websocket::close_reason ReadUntilClosed() {
        for (;;) {
            boost::beast::flat_buffer buffer;
            boost::system::error_code ec;
            ws_.read(buffer, ec);
            if (ec == websocket::error::closed) return ws_.reason();
            if (ec) return {};
        }
    }
    void Close() { ws_.close(websocket::close_code::normal); }

  private:
    asio::io_context io_;
    websocket::stream<asio::ip::tcp::socket> ws_{io_};
    websocket::response_type response_;
    boost::system::error_code handshake_error_;
};

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(WebSocket, EchoesMessagesAndCountsTheOpenSocket) {
    TestServer server;
    WsClient client(server.port(), "/ws/echo");
    ASSERT_TRUE(client.open());
    EXPECT_EQ(client.handshake_status(), 101u);
    client.Write("hello");
    EXPECT_EQ(client.Read(), "hello");
    client.Write("second message");
    EXPECT_EQ(client.Read(), "second message");
    EXPECT_TRUE(Contains(server.Metrics(), "gatehouse_http_websockets_open 1\n"));
    client.Close();
    EXPECT_TRUE(Eventually([&] { return server.handlers_finished() == 1; }));
    EXPECT_TRUE(Eventually([&] { return Contains(server.Metrics(), "gatehouse_http_websockets_open 0\n"); }));
}

TEST(WebSocket, ServerSendsThenClosesWithItsCodeAndReason) {
    TestServer server;
    WsClient client(server.port(), "/ws/count?n=3");
    ASSERT_TRUE(client.open());
    EXPECT_EQ(client.Read(), "message 0");
    EXPECT_EQ(client.Read(), "message 1");
    EXPECT_EQ(client.Read(), "message 2");
    const auto close = client.ReadUntilClosed();
    EXPECT_EQ(close.code, 4000);
    EXPECT_EQ(std::string(close.reason.data(), close.reason.size()), "done after 3");
}

TEST(WebSocket, PlainGetOnAnUpgradeRouteIs426AndTheConnectionGoesOn) {
    TestServer server;
    HttpClient client(server.port());
    const auto refused = client.Get("/ws/echo");
    EXPECT_EQ(refused.status, 426u);
    EXPECT_EQ(refused.content_type, "application/problem+json");
    EXPECT_EQ(refused.upgrade, "websocket");
    EXPECT_TRUE(Contains(refused.body, "/problems/upgrade-required"));
    const auto next = client.Get("/plain");  // same connection
    EXPECT_EQ(next.status, 200u);
    EXPECT_EQ(next.body, "ok");
}

TEST(WebSocket, HandlerThatThrowsClosesWith1011AndTheServerGoesOn) {
    LogCapture logs;
    TestServer server;
    WsClient client(server.port(), "/ws/throw");
    ASSERT_TRUE(client.open());
    EXPECT_EQ(client.Read(), "about to fail");
    EXPECT_EQ(client.ReadUntilClosed().code, 1011);
    EXPECT_TRUE(Contains(logs.WaitFor("http.websocket_handler_exception"), "handler failed on purpose"));
    HttpClient next(server.port());
    EXPECT_EQ(next.Get("/plain").status, 200u);
}

TEST(WebSocket, MessageOver64KiBClosesWith1009) {
    TestServer server;
    WsClient client(server.port(), "/ws/echo");
    ASSERT_TRUE(client.open());
    const std::string fits(64 * 1024, 'a');
    client.Write(fits);
    EXPECT_EQ(client.Read(), fits);
    client.Write(std::string(64 * 1024 + 1, 'b'));
    EXPECT_EQ(client.ReadUntilClosed().code, 1009);
    EXPECT_TRUE(Eventually([&] { return server.handlers_finished() == 1; }));
}

TEST(WebSocket, ShutdownClosesOpenSocketsWith1001Promptly) {
    TestServer server;
    WsClient echo(server.port(), "/ws/echo");
    WsClient parked(server.port(), "/ws/park");
    WsClient push(server.port(), "/ws/push");
    ASSERT_TRUE(echo.open() && parked.open() && push.open());
    echo.Write("ping");
    ASSERT_EQ(echo.Read(), "ping");
    ASSERT_EQ(push.Read(), "tick");
    // The clients must be reading to answer the server's close.
    auto echo_close = std::async(std::launch::async, [&] { return echo.ReadUntilClosed(); });
    auto parked_close = std::async(std::launch::async, [&] { return parked.ReadUntilClosed(); });
    auto push_close = std::async(std::launch::async, [&] { return push.ReadUntilClosed(); });
    const auto took = server.Shutdown(60s);
    EXPECT_LT(took, 3s);
    for (auto* future : {&echo_close, &parked_close, &push_close}) {
        const auto close = future->get();
        EXPECT_EQ(close.code, 1001);
        EXPECT_EQ(std::string(close.reason.data(), close.reason.size()), "server shutting down");
    }
    EXPECT_EQ(server.open_connections(), 0u);
    EXPECT_TRUE(Eventually([&] { return server.handlers_finished() == 3; }));
}

TEST(WebSocket, ShutdownDropsASocketWhoseClientStoppedReadingAfterTheCloseTimeout) {
    TestServer server;
    WsClient client(server.port(), "/ws/flood");
    ASSERT_TRUE(client.open());
    std::this_thread::sleep_for(300ms);  // the socket buffers fill; the handler's Send is stuck
    const auto took = server.Shutdown(60s);
    EXPECT_GE(took, 4s);   // the 1001 close waited for the stuck Send...
    EXPECT_LT(took, 10s);  // ...until the 5 s close timeout dropped the connection
    EXPECT_EQ(server.open_connections(), 0u);
    EXPECT_TRUE(Eventually([&] { return server.handlers_finished() == 1; }));
}

TEST(WebSocket, ClientLeavingEndsAHandlerThroughItsReceiveLoop) {
    LogCapture logs;
    TestServer server;
    {
        WsClient client(server.port(), "/ws/push");
        ASSERT_TRUE(client.open());
        EXPECT_EQ(client.Read(), "tick");
        EXPECT_EQ(client.Read(), "tick");
        client.Close();
    }
    EXPECT_TRUE(Eventually([&] { return server.handlers_finished() == 1; }));
    EXPECT_TRUE(Eventually([&] { return server.open_connections() == 0; }));
    for (const auto& line : logs.Lines()) EXPECT_FALSE(Contains(line, "websocket_handler_exception")) << line;
}

// Clients that vanish while their handler awaits pool work: the server must live on (an exception
// escaping a coroutine here would terminate the process).
TEST(WebSocket, ClientsLeavingWhileTheHandlerAwaitsPoolWork) {
    TestServer server;
    for (int round = 0; round < 40; ++round) {
        WsClient client(server.port(), "/ws/offload");
        ASSERT_TRUE(client.open());
        EXPECT_FALSE(client.Read().empty());
        if (round % 2 == 0) {
            client.Close();
        }  // else: dropped without a close frame when the client goes out of scope
    }
    EXPECT_TRUE(Eventually([&] { return server.handlers_finished() == 40; }));
    HttpClient plain(server.port());
    EXPECT_EQ(plain.Get("/plain").status, 200u);
}

TEST(WebSocket, ForeignBrowserOriginIsRefused) {
    TestServer server;
    WsClient foreign(server.port(), "/ws/echo", "https://evil.example");
    EXPECT_FALSE(foreign.open());
    EXPECT_EQ(foreign.handshake_status(), 403u);
    WsClient same(server.port(), "/ws/echo", "http://127.0.0.1:" + std::to_string(server.port()));
    EXPECT_TRUE(same.open());
}

TEST(WebSocket, AccessLogShows101AndNeverTheAccessToken) {
    LogCapture logs;
    TestServer server;
    WsClient client(server.port(), "/ws/echo?access_token=SECRET-TOKEN-123");
    ASSERT_TRUE(client.open());
    const auto upgrade_line = logs.WaitFor("\"status\":101");
    EXPECT_TRUE(Contains(upgrade_line, "\"event\":\"http.request\"")) << upgrade_line;
    EXPECT_TRUE(Contains(upgrade_line, "\"path\":\"/ws/echo\"")) << upgrade_line;
    HttpClient plain(server.port());
    EXPECT_EQ(plain.Get("/plain?x=1&access_token=SECRET-TOKEN-123").status, 200u);
    EXPECT_FALSE(logs.WaitFor("\"path\":\"/plain\"").empty());
    for (const auto& line : logs.Lines()) EXPECT_FALSE(Contains(line, "SECRET-TOKEN-123")) << line;
}

}  // namespace
}  // namespace gatehouse::testing
