// The TLS WebSocket path (websocket_tls.cpp) end to end: a self-signed certificate made with the openssl
// command, a Beast websocket client over beast::ssl_stream. Its own TU, as heavy as websocket_test.cpp.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <cstdlib>
#include <filesystem>
#include <future>

#include "http/test_server.hpp"

namespace gatehouse::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using namespace std::chrono_literals;

/// A self-signed certificate for 127.0.0.1 in a fresh directory, removed afterwards.
class SelfSignedCertificate {
  public:
    SelfSignedCertificate() {
        std::string pattern = (std::filesystem::temp_directory_path() / "gatehouse-ws-tls-XXXXXX").string();
        if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
        dir_ = pattern;
        tls_.cert_file = (dir_ / "cert.pem").string();
        tls_.key_file = (dir_ / "key.pem").string();
        const std::string command =
            "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 "
            "-subj /CN=127.0.0.1 -keyout '" +
            tls_.key_file + "' -out '" + tls_.cert_file + "' >/dev/null 2>&1";
        if (std::system(command.c_str()) != 0) throw std::runtime_error("openssl req failed");
    }
    ~SelfSignedCertificate() {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    const config::TlsConfig& tls() const { return tls_; }

  private:
    std::filesystem::path dir_;
    config::TlsConfig tls_;
};

class TlsWsClient {
  public:
    TlsWsClient(std::uint16_t port, const std::string& target) {
        ssl_.set_verify_mode(asio::ssl::verify_none);  // self-signed; the test is about the server's stream
        beast::get_lowest_layer(ws_).connect({asio::ip::make_address("127.0.0.1"), port});
        ws_.next_layer().handshake(asio::ssl::stream_base::client);
        ws_.handshake("127.0.0.1:" + std::to_string(port), target);
    }
    void Write(const std::string& text) { ws_.write(asio::buffer(text)); }
    std::string Read() {
        beast::flat_buffer buffer;
        ws_.read(buffer);
        return beast::buffers_to_string(buffer.data());
    }
    websocket::close_reason ReadUntilClosed() {
        for (;;) {
            beast::flat_buffer buffer;
            boost::system::error_code ec;
            ws_.read(buffer, ec);
            if (ec == websocket::error::closed) return ws_.reason();
            if (ec) return {};
        }
    }

  private:
    asio::io_context io_;
    asio::ssl::context ssl_{asio::ssl::context::tls_client};
    websocket::stream<beast::ssl_stream<asio::ip::tcp::socket>> ws_{io_, ssl_};
};

TEST(TlsWebSocket, EchoesAndClosesWithTheHandlersCode) {
    const SelfSignedCertificate certificate;
    TestServer server(certificate.tls());
    TlsWsClient echo(server.port(), "/ws/echo");
    echo.Write("over tls");
    EXPECT_EQ(echo.Read(), "over tls");
    TlsWsClient count(server.port(), "/ws/count?n=2");
    EXPECT_EQ(count.Read(), "message 0");
    EXPECT_EQ(count.Read(), "message 1");
    EXPECT_EQ(count.ReadUntilClosed().code, 4000);
}

TEST(TlsWebSocket, ShutdownClosesWith1001Promptly) {
    const SelfSignedCertificate certificate;
    TestServer server(certificate.tls());
    TlsWsClient echo(server.port(), "/ws/echo");
    TlsWsClient parked(server.port(), "/ws/park");
    echo.Write("ping");
    ASSERT_EQ(echo.Read(), "ping");
    auto echo_close = std::async(std::launch::async, [&] { return echo.ReadUntilClosed(); });
    auto parked_close = std::async(std::launch::async, [&] { return parked.ReadUntilClosed(); });
    EXPECT_LT(server.Shutdown(60s), 3s);
    EXPECT_EQ(echo_close.get().code, 1001);
    EXPECT_EQ(parked_close.get().code, 1001);
    EXPECT_EQ(server.open_connections(), 0u);
    EXPECT_TRUE(Eventually([&] { return server.handlers_finished() == 2; }));
}

}  // namespace
}  // namespace gatehouse::testing
