#include "proxy/upstream.hpp"

#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/url/parse.hpp>
#include <cerrno>

#include "core/errc.hpp"
#include "core/text.hpp"

namespace gatehouse::proxy {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// Whether an idle connection is still open with nothing unread (a closed one reads 0; one with stray bytes, or a
// TLS close_notify, is not reusable either).
bool StillOpen(UpstreamConnection& connection) {
    char byte = 0;
    const auto n = ::recv(connection.tcp().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

core::Error Failed(std::string_view what, std::string_view kind, const std::string& host) {
    return core::Error(core::errc::bad_gateway, "upstream " + host + ": " + std::string(what)).Kind(std::string(kind));
}

}  // namespace

UpstreamTarget TargetOf(std::string_view upstream_url, const std::optional<std::string>& ca_file) {
    auto parsed = boost::urls::parse_absolute_uri(upstream_url);
    if (!parsed) throw core::Error(core::errc::invalid_argument, "upstream_url is not an absolute URL");
    UpstreamTarget target;
    target.tls = core::AsciiLower(parsed->scheme()) == "https";
    target.host = std::string(parsed->encoded_host());
    if (target.host.size() > 2 && target.host.front() == '[')
        target.host = target.host.substr(1, target.host.size() - 2);
    target.port = parsed->has_port() ? std::string(parsed->port()) : (target.tls ? "443" : "80");
    target.ca_file = ca_file.value_or("");
    target.key = (target.tls ? "https|" : "http|") + target.host + "|" + target.port + "|" + target.ca_file;
    return target;
}

UpstreamConnection::UpstreamConnection(asio::ip::tcp::socket socket, asio::ssl::context* tls_context) {
    if (tls_context) {
        tls_ =
            std::make_unique<beast::ssl_stream<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)), *tls_context);
    } else {
        plain_ = std::make_unique<beast::tcp_stream>(std::move(socket));
    }
}

asio::ssl::context& TlsContexts::For(const std::string& ca_file) {
    std::lock_guard lock(mutex_);
    auto& slot = contexts_[ca_file];
    if (!slot) {
        auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
        boost::system::error_code ec;
        if (ca_file.empty()) {
            context->set_default_verify_paths(ec);
        } else {
            context->load_verify_file(ca_file, ec);
        }
        if (ec) {
            contexts_.erase(ca_file);
            throw core::Error(core::errc::bad_gateway, "the upstream's CA file cannot be loaded").Kind("tls");
        }
        context->set_verify_mode(asio::ssl::verify_peer);
        slot = std::move(context);
    }
    return *slot;
}

UpstreamPool::Idle& UpstreamPool::IdleOf(const asio::any_io_executor& executor) {
    const void* context = &asio::query(executor, asio::execution::context);
    std::lock_guard lock(mutex_);
    auto& slot = idle_[context];
    if (!slot) slot = std::make_unique<Idle>();
    return *slot;
}

std::size_t UpstreamPool::IdleCount() {
    std::lock_guard lock(mutex_);
    std::size_t count = 0;
    for (const auto& [context, idle] : idle_)
        for (const auto& [key, queue] : *idle) count += queue.size();
    return count;
}

asio::awaitable<std::unique_ptr<UpstreamConnection>> UpstreamPool::Acquire(const UpstreamTarget& target, bool fresh,
                                                                           bool sure) {
    auto executor = co_await asio::this_coro::executor;
    const auto& options = options_;
    auto& idle = IdleOf(executor);
    if (!fresh) {
        if (auto it = idle.find(target.key); it != idle.end()) {
            auto& queue = it->second;
            const auto now = std::chrono::steady_clock::now();
            while (!queue.empty()) {
                // Most recently used first: the likeliest to be open still.
                auto connection = std::move(queue.back());
                queue.pop_back();
                const auto idle_for = now - connection->idle_since;
                const bool recent = !sure && idle_for < std::chrono::seconds(2);
                if (idle_for < options.idle_timeout && (recent || StillOpen(*connection))) {
                    connection->reused = true;
                    co_return connection;
                }
            }
        }
    }
    asio::ip::tcp::resolver resolver(executor);
    auto [resolve_ec, endpoints] = co_await resolver.async_resolve(target.host, target.port, kTuple);
    if (resolve_ec) throw Failed("cannot resolve the host", "dns", target.host);
    asio::ssl::context* tls_context = target.tls ? &contexts_.For(target.ca_file) : nullptr;
    auto connection = std::make_unique<UpstreamConnection>(asio::ip::tcp::socket(executor), tls_context);
    connection->key = target.key;
    auto& tcp = connection->tcp();
    tcp.expires_after(options.connect_timeout);
    auto [connect_ec, endpoint] = co_await tcp.async_connect(endpoints, kTuple);
    if (connect_ec == beast::error::timeout)
        throw core::Error(core::errc::timeout, "upstream " + target.host + ": connect timed out").Kind("timeout");
    if (connect_ec) throw Failed("connection refused or unreachable", "refused", target.host);
    tcp.socket().set_option(asio::ip::tcp::no_delay(true));
    if (auto* tls = connection->tls()) {
        boost::system::error_code ignored;
        asio::ip::make_address(target.host, ignored);
        if (ignored && !SSL_set_tlsext_host_name(tls->native_handle(), target.host.c_str()))
            throw Failed("cannot set the TLS server name", "tls", target.host);
        tls->set_verify_callback(asio::ssl::host_name_verification(target.host));
        auto [handshake_ec] = co_await tls->async_handshake(asio::ssl::stream_base::client, kTuple);
        if (handshake_ec) throw Failed("TLS handshake failed (certificate not trusted?)", "tls", target.host);
    }
    tcp.expires_never();
    co_return connection;
}

void UpstreamPool::Release(std::unique_ptr<UpstreamConnection> connection) {
    if (!connection || options_.max_idle == 0 || connection->buffer.size() != 0) return;
    auto& queue = IdleOf(connection->tcp().get_executor())[connection->key];
    connection->tcp().expires_never();
    connection->idle_since = std::chrono::steady_clock::now();
    if (queue.size() >= options_.max_idle) queue.erase(queue.begin());  // the longest idle goes
    queue.push_back(std::move(connection));
}

}  // namespace gatehouse::proxy
