#include "agent/http_client.hpp"

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>
#include <stdexcept>

#include "core/build_info.hpp"

namespace gatehouse::agent {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

}  // namespace

struct HttpClient::Impl {
    asio::io_context ioc;
    std::string host, port, host_header;
    bool tls = false;
    Tls files;
    std::chrono::seconds timeout;
    std::optional<asio::ssl::context> ssl;
    std::unique_ptr<beast::tcp_stream> plain;
    std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> secure;
    SSL_SESSION* session = nullptr;  // resumed on the next connection
    beast::flat_buffer buffer;

    ~Impl() { Drop(); }

    void Drop() {
        plain.reset();
        secure.reset();
        buffer.clear();
    }

    void MakeContext() {
        ssl.emplace(asio::ssl::context::tls_client);
        ssl->set_verify_mode(asio::ssl::verify_peer);
        if (files.ca_file.empty())
            ssl->set_default_verify_paths();
        else
            ssl->load_verify_file(files.ca_file);
        if (!files.cert_file.empty()) {
            ssl->use_certificate_chain_file(files.cert_file);
            ssl->use_private_key_file(files.key_file, asio::ssl::context::pem);
        }
        SSL_CTX_set_session_cache_mode(ssl->native_handle(), SSL_SESS_CACHE_CLIENT);
    }

    asio::awaitable<void> Connect() {
        asio::ip::tcp::resolver resolver(ioc);
        auto [rec, endpoints] = co_await resolver.async_resolve(host, port, kTuple);
        if (rec) throw std::runtime_error("resolve " + host + ": " + rec.message());
        beast::tcp_stream tcp(ioc);
        tcp.expires_after(timeout);
        auto [cec, unused] = co_await tcp.async_connect(endpoints, kTuple);
        if (cec) throw std::runtime_error("connect " + host + ":" + port + ": " + cec.message());
        if (!tls) {
            plain = std::make_unique<beast::tcp_stream>(std::move(tcp));
            co_return;
        }
        if (!ssl) MakeContext();
        secure = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(std::move(tcp), *ssl);
        secure->set_verify_callback(asio::ssl::host_name_verification(host));
        SSL_set_tlsext_host_name(secure->native_handle(), host.c_str());
        if (session) SSL_set_session(secure->native_handle(), session);
        auto [hec] = co_await secure->async_handshake(asio::ssl::stream_base::client, kTuple);
        if (hec) {
            secure.reset();
            throw std::runtime_error("TLS handshake with " + host + ":" + port + ": " + hec.message());
        }
    }

    template <class Stream>
    asio::awaitable<HttpAnswer> Exchange(Stream& stream, bhttp::request<bhttp::string_body>& request) {
        beast::get_lowest_layer(stream).expires_after(timeout);
        auto [wec, written] = co_await bhttp::async_write(stream, request, kTuple);
        if (wec) throw std::runtime_error("write: " + wec.message());
        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(64 * 1024 * 1024);
        auto [rec, read] = co_await bhttp::async_read(stream, buffer, parser, kTuple);
        if (rec) throw std::runtime_error("read: " + rec.message());
        HttpAnswer answer;
        auto& response = parser.get();
        answer.status = response.result_int();
        answer.body = std::move(response.body());
        for (const auto& field : response) {
            std::string name(field.name_string());
            for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            answer.headers[name] = std::string(field.value());
        }
        if (!response.keep_alive()) Drop();
        if (secure) {
            // TLS 1.3 sends tickets after the handshake: take the newest for the next connection.
            if (SSL_SESSION* fresh = SSL_get1_session(secure->native_handle())) {
                if (session) SSL_SESSION_free(session);
                session = fresh;
            }
        }
        co_return answer;
    }

    asio::awaitable<HttpAnswer> Send(bhttp::request<bhttp::string_body> request) {
        // A kept-alive connection the server closed meanwhile fails at once: try once more on a new one.
        for (int attempt = 0;; ++attempt) {
            const bool reused = plain || secure;
            if (!reused) co_await Connect();
            try {
                if (secure) co_return co_await Exchange(*secure, request);
                co_return co_await Exchange(*plain, request);
            } catch (const std::runtime_error&) {
                Drop();
                if (!reused || attempt > 0) throw;
            }
        }
    }
};

HttpClient::HttpClient(const std::string& base_url, Tls tls, std::chrono::seconds timeout)
    : impl_(std::make_unique<Impl>()) {
    const auto parsed = boost::urls::parse_uri(base_url);
    if (!parsed || (parsed->scheme() != "http" && parsed->scheme() != "https") || parsed->host().empty())
        throw std::runtime_error("'" + base_url + "' is not an http(s)://host[:port] URL");
    impl_->tls = parsed->scheme() == "https";
    impl_->host = parsed->host_address();
    impl_->port = parsed->has_port() ? std::string(parsed->port()) : (impl_->tls ? "443" : "80");
    impl_->host_header = parsed->encoded_host_and_port();
    impl_->files = std::move(tls);
    impl_->timeout = timeout;
}

HttpClient::~HttpClient() {
    if (impl_->session) SSL_SESSION_free(impl_->session);
}

void HttpClient::Reset() {
    impl_->Drop();
    impl_->ssl.reset();
    if (impl_->session) SSL_SESSION_free(impl_->session);
    impl_->session = nullptr;
}

HttpAnswer HttpClient::Request(const std::string& method, const std::string& target, const std::string& body,
                               const std::map<std::string, std::string>& headers) {
    bhttp::request<bhttp::string_body> request{bhttp::string_to_verb(method), target, 11};
    request.set(bhttp::field::host, impl_->host_header);
    request.set(bhttp::field::user_agent, std::string("gatehouse-agent/") + core::kVersion);
    for (const auto& [name, value] : headers) request.set(name, value);
    if (!body.empty() || method == "POST" || method == "PUT") {
        request.body() = body;
        request.prepare_payload();
    }
    std::optional<HttpAnswer> answer;
    std::exception_ptr failure;
    asio::co_spawn(impl_->ioc, impl_->Send(std::move(request)), [&](std::exception_ptr error, HttpAnswer result) {
        if (error)
            failure = error;
        else
            answer = std::move(result);
    });
    impl_->ioc.restart();
    impl_->ioc.run();
    if (failure) std::rethrow_exception(failure);
    return std::move(*answer);
}

}  // namespace gatehouse::agent
