#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json/object.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gatehouse::http {

namespace beast_http = boost::beast::http;
using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<beast_http::string_body>;
using Verb = beast_http::verb;
using Status = beast_http::status;

/// The least a caller needs to reach a route. Every route declares one; there is no default.
enum class Access { kPublic, kViewer, kOperator, kAdmin };
std::string_view AccessName(Access access) noexcept;

/// Whoever the Gatekeeper admitted to a protected route. The HTTP layer never looks inside; the layer that
/// implements the Gatekeeper knows the type.
using Caller = std::shared_ptr<const void>;

class Route;
class WebSocket;

/// Runs a WebSocket after the upgrade (see http/websocket.hpp). It outlives the RequestContext: capture by value
/// what it needs from the request.
using WebSocketHandler = std::function<boost::asio::awaitable<void>(WebSocket&)>;

/// Produces a response body piece by piece on the connection's executor; nullopt ends it.
using BodySource = std::function<boost::asio::awaitable<std::optional<std::string>>()>;

/// What a handler tells the audit trail about its request, beyond what the route implies.
struct AuditNote {
    std::string action;      // empty: the route's action
    std::string actor_name;  // for requests without a caller (a login attempt's username)
    std::string resource_type;
    std::string resource_id;      // empty: the route's {id} parameter, if any
    boost::json::object details;  // never secrets
};

/// What a handler sees of a request.
struct RequestContext {
    const Request& request;
    std::string_view path;                                         // without the query string, not decoded
    std::string_view query;                                        // after '?', not decoded
    std::vector<std::pair<std::string_view, std::string>> params;  // path parameters, percent-decoded
    std::string request_id;
    std::string remote_address;
    const Route* route = nullptr;
    Caller caller;  // set for every route that is not public
    AuditNote audit;
    /// Set by a handler to upgrade a WebSocket upgrade request: the response it returns is then ignored. On a
    /// request that is not a WebSocket upgrade the client gets 426 instead.
    WebSocketHandler upgrade;
    /// Set by a handler to stream the body of the response it returns, for bodies too big to hold in memory
    /// (chunked transfer encoding; to HTTP/1.0 clients until the connection closes). The response's own body is
    /// ignored. A source that throws ends the connection, so the client sees a cut transfer, never a short
    /// complete one. It outlives the RequestContext: capture by value what it needs.
    BodySource body_source;
    /// The JSON body once ParseJsonBody has read it: the server checks it before the handler, which then reads the
    /// same value instead of parsing and checking the text again.
    mutable std::optional<boost::json::value> json_body;
    /// SHA-256 (hex) of the client certificate the TLS handshake verified; empty without one.
    std::string peer_certificate;

    /// The value of request header `name` (empty when absent).
    std::string_view Header(std::string_view name) const;
    /// The path parameter `name`; empty when the route has none of that name.
    std::string_view Param(std::string_view name) const;
    /// The first query parameter `name`, percent-decoded.
    std::optional<std::string> Query(std::string_view name) const;
};

/// Every `stem[key]=value` of a query string (a family such as match[job]=api), percent-decoded: {key, value}.
/// Throws core::Error(invalid_argument) for an empty key or a repeated one.
std::vector<std::pair<std::string, std::string>> QueryFamily(std::string_view query, std::string_view stem);

/// The first `name=value` of an application/x-www-form-urlencoded text (a query string or a form
/// body), percent-decoded with '+' as space. nullopt when absent or malformed.
std::optional<std::string> FormValue(std::string_view encoded, std::string_view name);

using Handler = std::function<boost::asio::awaitable<Response>(RequestContext&)>;

}  // namespace gatehouse::http
