#include "http/outbound.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>

#include "core/build_info.hpp"

namespace gatehouse::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

template <class Stream>
asio::awaitable<OutboundResult> Exchange(Stream& stream, bhttp::request<bhttp::string_body>& request) {
    auto [wec, written] = co_await bhttp::async_write(stream, request, kTuple);
    if (wec) co_return OutboundResult{std::nullopt, "write: " + wec.message()};
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 * 1024);  // the answer's body is not read, only its status
    auto [rec, read] = co_await bhttp::async_read(stream, buffer, parser, kTuple);
    if (rec && rec != bhttp::error::body_limit) co_return OutboundResult{std::nullopt, "read: " + rec.message()};
    co_return OutboundResult{parser.get().result_int(), {}};
}

}  // namespace

asio::awaitable<OutboundResult> OutboundPost(std::string url, std::string body,
                                             std::vector<std::pair<std::string, std::string>> headers,
                                             std::chrono::seconds timeout) {
    const auto parsed = boost::urls::parse_uri(url);
    if (!parsed || (parsed->scheme() != "http" && parsed->scheme() != "https") || parsed->host().empty())
        co_return OutboundResult{std::nullopt, "not an http(s) URL"};
    const bool tls = parsed->scheme() == "https";
    const std::string host = parsed->host_address();
    const std::string port = parsed->has_port() ? std::string(parsed->port()) : (tls ? "443" : "80");
    std::string target = std::string(parsed->encoded_path());
    if (target.empty()) target = "/";
    if (parsed->has_query()) target += "?" + std::string(parsed->encoded_query());

    auto executor = co_await asio::this_coro::executor;
    asio::ip::tcp::resolver resolver(executor);
    auto [rec, endpoints] = co_await resolver.async_resolve(host, port, kTuple);
    if (rec) co_return OutboundResult{std::nullopt, "resolve: " + rec.message()};

    bhttp::request<bhttp::string_body> request{bhttp::verb::post, target, 11};
    request.set(bhttp::field::host, parsed->encoded_host_and_port());
    request.set(bhttp::field::user_agent, std::string("gatehouse/") + core::kVersion);
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = std::move(body);
    request.prepare_payload();

    beast::tcp_stream tcp(executor);
    tcp.expires_after(timeout);
    auto [cec, connected] = co_await tcp.async_connect(endpoints, kTuple);
    if (cec) co_return OutboundResult{std::nullopt, "connect: " + cec.message()};
    if (!tls) {
        auto result = co_await Exchange(tcp, request);
        beast::error_code ignored;
        tcp.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
        co_return result;
    }
    asio::ssl::context context(asio::ssl::context::tls_client);
    context.set_default_verify_paths();
    context.set_verify_mode(asio::ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp), context);
    stream.set_verify_callback(asio::ssl::host_name_verification(host));
    if (!SSL_set_tlsext_host_name(stream.native_handle(), host.c_str()))
        co_return OutboundResult{std::nullopt, "TLS: cannot set SNI"};
    auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::client, kTuple);
    if (hec) co_return OutboundResult{std::nullopt, "TLS: " + hec.message()};
    co_return co_await Exchange(stream, request);
}

}  // namespace gatehouse::http
