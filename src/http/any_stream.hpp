#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <utility>

namespace gatehouse::http {

/// A plain or a TLS stream behind one type, chosen at run time, so code that works on either (the gateway's
/// proxy, on its client and its upstream side) is compiled once rather than once per stream type. Every
/// operation's completion handler goes to the stream it wraps unchanged, so composed Beast operations work as on
/// the stream itself. The wrapped stream must outlive this view.
class AnyStream {
  public:
    using executor_type = boost::asio::any_io_executor;
    using Tls = boost::beast::ssl_stream<boost::beast::tcp_stream>;

    explicit AnyStream(boost::beast::tcp_stream& plain) : plain_(&plain) {}
    explicit AnyStream(Tls& tls) : tls_(&tls) {}

    executor_type get_executor() { return plain_ ? plain_->get_executor() : tls_->get_executor(); }
    /// The TCP layer: timeouts, cancellation, the socket.
    boost::beast::tcp_stream& tcp() { return plain_ ? *plain_ : boost::beast::get_lowest_layer(*tls_); }
    bool is_tls() const noexcept { return tls_ != nullptr; }
    Tls* tls() noexcept { return tls_; }

    template <class MutableBuffers, class Token>
    auto async_read_some(const MutableBuffers& buffers, Token&& token) {
        if (plain_) return plain_->async_read_some(buffers, std::forward<Token>(token));
        return tls_->async_read_some(buffers, std::forward<Token>(token));
    }

    template <class ConstBuffers, class Token>
    auto async_write_some(const ConstBuffers& buffers, Token&& token) {
        if (plain_) return plain_->async_write_some(buffers, std::forward<Token>(token));
        return tls_->async_write_some(buffers, std::forward<Token>(token));
    }

  private:
    boost::beast::tcp_stream* plain_ = nullptr;
    Tls* tls_ = nullptr;
};

}  // namespace gatehouse::http
