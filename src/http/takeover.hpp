#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>

#include "http/any_stream.hpp"

namespace gatehouse::http {

/// A client connection lent to a Takeover for one request, right after its header was read.
struct LentConnection {
    AnyStream stream;
    boost::beast::flat_buffer& buffer;  // bytes read past the header (the body's start, or a pipelined request)
    /// The header is read; the body is not. May be moved into a parser of another body type.
    boost::beast::http::request_parser<boost::beast::http::string_body>& parser;
    const std::string& peer;        // the peer's address
    const std::string& request_id;  // also what the client sent as X-Request-Id, when sane
    bool client_tls = false;
    const std::atomic<bool>& stopping;  // the server is shutting down: end long-lived work (WebSockets)
};

/// Requests the server hands over whole, connection included, instead of routing them: the gateway's proxy, which
/// streams bodies both ways and tunnels WebSockets. Called on the connection's I/O thread.
class Takeover {
  public:
    virtual ~Takeover() = default;
    /// From the header alone: whether this request is the takeover's. Must be cheap (every request asks).
    virtual bool Wants(const boost::beast::http::request_header<>& header) const = 0;
    /// Serves the request (reading its body, writing the whole response). Returns whether the connection may carry
    /// another request; false closes it.
    virtual boost::asio::awaitable<bool> Serve(LentConnection& connection) = 0;
};

}  // namespace gatehouse::http
