#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>

namespace gatehouse::http {

namespace beast_http = boost::beast::http;
using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<beast_http::string_body>;
using Verb = beast_http::verb;
using Status = beast_http::status;

/// The least a caller needs to reach a route. Every route declares one; there is no default.
enum class Access { kPublic, kViewer, kOperator, kAdmin };
std::string_view AccessName(Access access) noexcept;

class Route;

/// What a handler sees of a request.
struct RequestContext {
    const Request& request;
    std::string_view path;   // without the query string, not decoded
    std::string_view query;  // after '?', not decoded
    std::vector<std::pair<std::string_view, std::string>> params;  // path parameters, percent-decoded
    std::string request_id;
    std::string remote_address;
    const Route* route = nullptr;

    /// The path parameter `name`; empty when the route has none of that name.
    std::string_view Param(std::string_view name) const;
    /// The first query parameter `name`, percent-decoded.
    std::optional<std::string> Query(std::string_view name) const;
};

using Handler = std::function<boost::asio::awaitable<Response>(RequestContext&)>;

}  // namespace gatehouse::http
