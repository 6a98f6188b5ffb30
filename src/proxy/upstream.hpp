#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "http/any_stream.hpp"

namespace gatehouse::proxy {

/// Where a route's requests go.
struct UpstreamTarget {
    std::string host;  // name or address (IPv6 without brackets)
    std::string port;
    bool tls = false;
    std::string ca_file;  // empty: the system's trusted roots
    std::string key;      // tells pooled connections apart: scheme, host, port, CA file
};

/// The upstream of `upstream_url` (http(s)://host[:port][/base]); throws core::Error(invalid_argument) otherwise.
UpstreamTarget TargetOf(std::string_view upstream_url, const std::optional<std::string>& ca_file);

struct UpstreamOptions {
    std::chrono::milliseconds connect_timeout{5000};
    std::size_t max_idle = 64;  // per upstream and I/O thread
    std::chrono::seconds idle_timeout{60};
};

/// A connection to an upstream, plain or TLS.
class UpstreamConnection {
  public:
    UpstreamConnection(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context* tls_context);
    http::AnyStream stream() { return tls_ ? http::AnyStream(*tls_) : http::AnyStream(*plain_); }
    boost::beast::tcp_stream& tcp() { return tls_ ? boost::beast::get_lowest_layer(*tls_) : *plain_; }
    boost::beast::ssl_stream<boost::beast::tcp_stream>* tls() { return tls_.get(); }

    boost::beast::flat_buffer buffer;  // bytes read past the last response (none on a reusable connection)
    std::string key;
    bool reused = false;  // served an earlier request: may have been closed by the upstream meanwhile
    std::chrono::steady_clock::time_point idle_since;

  private:
    std::unique_ptr<boost::beast::tcp_stream> plain_;
    std::unique_ptr<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls_;
};

/// TLS client contexts, one per CA file (verification always on). Thread-safe.
class TlsContexts {
  public:
    /// Throws core::Error(bad_gateway) when the CA file cannot be loaded.
    boost::asio::ssl::context& For(const std::string& ca_file);

  private:
    std::mutex mutex_;
    std::map<std::string, std::unique_ptr<boost::asio::ssl::context>> contexts_;
};

/// Keep-alive connections to upstreams, kept per I/O context (each connection stays on the thread it was made on:
/// no cross-thread hops). Acquire and Release are called on the I/O thread of the caller's connection.
/// Acquire throws core::Error: bad_gateway (resolve, connect or TLS failures, with a kind) or timeout.
class UpstreamPool {
  public:
    explicit UpstreamPool(UpstreamOptions options) : options_(options) {}

    /// An idle connection that is still open, or a new one (`fresh`: always a new one). A connection idle for
    /// less than two seconds is taken without asking the kernel whether the upstream closed it, unless `sure`:
    /// a request without a body that fails on it is sent again on a new one.
    boost::asio::awaitable<std::unique_ptr<UpstreamConnection>> Acquire(const UpstreamTarget& target,
                                                                        bool fresh = false, bool sure = true);
    /// Keeps a connection whose last response was read whole, for the next request to the same upstream.
    void Release(std::unique_ptr<UpstreamConnection> connection);
    std::size_t IdleCount();

  private:
    using Idle = std::map<std::string, std::vector<std::unique_ptr<UpstreamConnection>>>;
    Idle& IdleOf(const boost::asio::any_io_executor& executor);

    UpstreamOptions options_;
    TlsContexts contexts_;
    std::mutex mutex_;
    std::map<const void*, std::unique_ptr<Idle>> idle_;  // by io_context
};

}  // namespace gatehouse::proxy
