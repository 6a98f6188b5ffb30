#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "core/ids.hpp"
#include "http/detail/session.hpp"

namespace gatehouse::http::detail {
namespace {

// The SHA-256 of the verified client certificate (also on a resumed session, which keeps it), in hex.
std::string PeerCertificateSha256(SSL* ssl) {
    X509* cert = SSL_get0_peer_certificate(ssl);
    if (!cert) return {};
    unsigned char* der = nullptr;
    const int length = i2d_X509(cert, &der);
    if (length <= 0) return {};
    std::string hex =
        core::Sha256Hex(std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length)));
    OPENSSL_free(der);
    return hex;
}

}  // namespace

asio::awaitable<void> ServeTls(ServerCore& core, asio::ip::tcp::socket socket, std::string remote) {
    beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *core.ssl);
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(core.settings.http.read_timeout_s));
    auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kTuple);
    if (ec) co_return;  // a failed handshake is the client's problem, not worth a log line each
    co_await ServeStream(core, stream, remote, PeerCertificateSha256(stream.native_handle()));
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
    co_await stream.async_shutdown(kTuple);
}

}  // namespace gatehouse::http::detail
