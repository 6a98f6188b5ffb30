#include "app/collector_listener.hpp"

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/verify_context.hpp>

#include "api/route_table.hpp"
#include "collectors/certificate_authority.hpp"
#include "core/log.hpp"
#include "http/server.hpp"

namespace gatehouse::app {
namespace {

namespace asio = boost::asio;

void Trust(X509_STORE* store, const std::string& pem) {
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (!cert) throw std::runtime_error("a CA certificate of the collectors cannot be read");
    // Adding one already there is harmless (OpenSSL answers "cert already in hash table").
    X509_STORE_add_cert(store, cert);
    X509_free(cert);
}

std::vector<std::string> ListenerIps(const std::string& host) {
    std::vector<std::string> ips{"127.0.0.1", "::1"};
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(host, ec);
    if (!ec && !address.is_unspecified() && address.to_string() != "127.0.0.1" && address.to_string() != "::1")
        ips.push_back(address.to_string());
    return ips;
}

}  // namespace

struct CollectorListener::Impl {
    Impl(const config::Config& c, collectors::CollectorService& s) : config(c), collectors(s) {}
    const config::Config& config;
    collectors::CollectorService& collectors;
    metrics::Registry registry;  // its own: the main listener's /metrics already names the http_* families
    http::Router router;
    std::unique_ptr<http::Server> server;

    void ConfigureTls(asio::ssl::context& ssl) {
        const auto& cc = config.collectors;
        boost::system::error_code ec;
        if (!cc.cert_file.empty()) {
            ssl.use_certificate_chain_file(cc.cert_file, ec);
            if (ec) throw std::runtime_error("cannot load collectors.cert_file " + cc.cert_file + ": " + ec.message());
            ssl.use_private_key_file(cc.key_file, asio::ssl::context::pem, ec);
            if (ec) throw std::runtime_error("cannot load collectors.key_file " + cc.key_file + ": " + ec.message());
        } else {
            const auto [host, port] = config::SplitListen(cc.listen);
            const auto issued = collectors.ListenerCertificate(config::SplitList(cc.server_names), ListenerIps(host));
            ssl.use_certificate_chain(asio::buffer(issued.certificate_pem));
            ssl.use_private_key(asio::buffer(issued.private_key_pem), asio::ssl::context::pem);
        }
        X509_STORE* store = SSL_CTX_get_cert_store(ssl.native_handle());
        for (const auto& ca : collectors.TrustedCas()) Trust(store, ca.certificate);
        // A CA added by `gatehouse ca rotate` is trusted from the next sync on, without a restart.
        collectors.OnNewCa([store](const std::string& pem) { Trust(store, pem); });
        static constexpr unsigned char kSessionContext[] = "gatehouse-collectors";
        SSL_CTX_set_session_id_context(ssl.native_handle(), kSessionContext, sizeof kSessionContext - 1);
        ssl.set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
        // The chain is OpenSSL's to verify; the leaf must also be a live collector's (a deleted one is refused
        // here, with a "certificate revoked" alert, and no CRL is needed).
        ssl.set_verify_callback([&collectors = collectors](bool preverified, asio::ssl::verify_context& context) {
            X509_STORE_CTX* store_context = context.native_handle();
            if (!preverified || X509_STORE_CTX_get_error_depth(store_context) != 0) return preverified;
            if (collectors.CollectorOf(collectors::CertificateSha256(X509_STORE_CTX_get_current_cert(store_context))))
                return true;
            X509_STORE_CTX_set_error(store_context, X509_V_ERR_CERT_REVOKED);
            return false;
        });
    }
};

CollectorListener::CollectorListener(const config::Config& config, core::IoContextPool& io,
                                     collectors::CollectorService& collectors, metricstore::MetricService& metrics)
    : impl_(std::make_unique<Impl>(config, collectors)) {
    api::BuildCollectorListenerRoutes(impl_->router, collectors, metrics);
    http::ServerSettings settings{config.http, config::TlsConfig{}, config.log.access};
    settings.configure_tls = [impl = impl_.get()](asio::ssl::context& ssl) { impl->ConfigureTls(ssl); };
    impl_->server = std::make_unique<http::Server>(io, settings, impl_->router, impl_->registry);
}

CollectorListener::~CollectorListener() = default;

std::string CollectorListener::Start() {
    const auto [host, port] = config::SplitListen(impl_->config.collectors.listen);
    const auto endpoint = impl_->server->Listen(host, port);
    impl_->server->Start([](const std::string& why) {
        core::LogError("collectors.listener_failed", {{"error", why}});
    });
    const std::string shown =
        endpoint.address().is_v6() ? "[" + endpoint.address().to_string() + "]" : endpoint.address().to_string();
    return shown + ":" + std::to_string(endpoint.port());
}

boost::asio::awaitable<void> CollectorListener::Shutdown(std::chrono::milliseconds grace) {
    co_await impl_->server->Shutdown(grace);
}

}  // namespace gatehouse::app
