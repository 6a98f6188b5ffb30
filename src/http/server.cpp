#include "http/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/errc.hpp"
#include "core/log.hpp"
#include "http/detail/server_core.hpp"

namespace gatehouse::http {

namespace asio = boost::asio;
using asio::ip::tcp;

struct Server::Impl {
    Impl(core::IoContextPool& io, const ServerSettings& settings, const Router& router, metrics::Registry& registry)
        : pool(io), core(std::make_shared<detail::ServerCore>(settings, router, registry)), acceptor(io.First()) {}

    asio::awaitable<void> AcceptLoop() {
        for (;;) {
            auto [ec, socket] =
                co_await acceptor.async_accept(pool.Next().get_executor(), asio::as_tuple(asio::use_awaitable));
            if (ec) {
                if (!acceptor.is_open() || ec == asio::error::operation_aborted) co_return;
                // Out of descriptors or similar: back off instead of spinning.
                core::LogWarn("http.accept_failed", {{"error", ec.message()}});
                asio::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(100));
                co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
                continue;
            }
            boost::system::error_code endpoint_ec;
            const auto peer = socket.remote_endpoint(endpoint_ec);
            std::string remote = endpoint_ec ? "unknown" : peer.address().to_string();
            // At a cap, the idlest connections make room: one address cannot hold every slot.
            if (!core->MakeRoom(remote)) {
                boost::system::error_code ignored;
                socket.close(ignored);
                continue;
            }
            socket.set_option(tcp::no_delay(true), endpoint_ec);
            auto executor = socket.get_executor();
            auto session = core->ssl ? detail::ServeTls(*core, std::move(socket), std::move(remote))
                                     : detail::ServePlain(*core, std::move(socket), std::move(remote));
            // The session keeps the core alive: a connection may outlive a Server that is torn down.
            asio::co_spawn(executor, std::move(session), [keep = core](std::exception_ptr error) {
                if (error) core::LogError("http.session_failed", {{"error", core::What(error)}});
            });
        }
    }

    /// Runs the accept loop; an exception out of it is logged and the loop restarted after a pause, unless it keeps
    /// failing (5 times within a minute): then `on_fatal` is told, since a server that cannot accept is of no use.
    void SpawnAcceptLoop() {
        asio::co_spawn(acceptor.get_executor(), AcceptLoop(), [this](std::exception_ptr error) {
            if (!error) return;
            const std::string what = core::What(error);
            core::LogError("http.accept_loop_failed", {{"error", what}});
            const auto now = std::chrono::steady_clock::now();
            if (now - failures_since > std::chrono::minutes(1)) {
                failures_since = now;
                failures = 0;
            }
            if (++failures >= 5 || !acceptor.is_open()) {
                if (on_fatal) on_fatal(what);
                return;
            }
            auto pause = std::make_shared<asio::steady_timer>(acceptor.get_executor(), std::chrono::milliseconds(100));
            pause->async_wait([this, pause](const boost::system::error_code&) {
                if (acceptor.is_open()) SpawnAcceptLoop();
            });
        });
    }

    core::IoContextPool& pool;
    std::shared_ptr<detail::ServerCore> core;
    tcp::acceptor acceptor;
    std::function<void(const std::string&)> on_fatal;
    int failures = 0;
    std::chrono::steady_clock::time_point failures_since{};
};

Server::Server(core::IoContextPool& pool, ServerSettings settings, const Router& router, metrics::Registry& registry)
    : impl_(std::make_shared<Impl>(pool, settings, router, registry)) {
    if (settings.configure_tls) {
        auto& ssl = impl_->core->ssl.emplace(asio::ssl::context::tls_server);
        ssl.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                        asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
        settings.configure_tls(ssl);
    } else if (settings.tls.enabled()) {
        auto& ssl = impl_->core->ssl.emplace(asio::ssl::context::tls_server);
        ssl.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                        asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
        boost::system::error_code ec;
        ssl.use_certificate_chain_file(settings.tls.cert_file, ec);
        if (ec) throw std::runtime_error("cannot load TLS certificate " + settings.tls.cert_file + ": " + ec.message());
        ssl.use_private_key_file(settings.tls.key_file, asio::ssl::context::pem, ec);
        if (ec) throw std::runtime_error("cannot load TLS key " + settings.tls.key_file + ": " + ec.message());
    }
}

Server::~Server() {
    boost::system::error_code ignored;
    impl_->acceptor.close(ignored);
}

tcp::endpoint Server::Listen(const std::string& host, std::uint16_t port) {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
    if (ec) throw std::runtime_error("cannot listen on '" + host + "': not an IP address");
    const tcp::endpoint endpoint(address, port);
    auto& acceptor = impl_->acceptor;
    acceptor.open(endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(endpoint, ec);
    if (ec) throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
    acceptor.listen(asio::socket_base::max_listen_connections);
    return acceptor.local_endpoint();
}

void Server::Start(std::function<void(const std::string&)> on_fatal) {
    impl_->on_fatal = std::move(on_fatal);
    impl_->SpawnAcceptLoop();
}

asio::awaitable<void> Server::Shutdown(std::chrono::milliseconds grace) {
    auto& core = *impl_->core;
    core.stopping.store(true);
    boost::system::error_code ignored;
    impl_->acceptor.close(ignored);
    const auto deadline = std::chrono::steady_clock::now() + grace;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    while (core.open_connections() > 0 && std::chrono::steady_clock::now() < deadline) {
        core.CloseIdleConnections();
        timer.expires_after(std::chrono::milliseconds(20));
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (const auto left = core.open_connections(); left > 0)
        core::LogWarn("http.shutdown_forced", {{"connections", left}});
}

std::size_t Server::open_connections() const { return impl_->core->open_connections(); }

}  // namespace gatehouse::http
