#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/body_schema.hpp"
#include "http/query_params.hpp"
#include "http/types.hpp"

namespace gatehouse::http {

struct RouteOptions {
    std::size_t max_body_bytes = 0;  // 0: the server's default
    std::string tag;                 // OpenAPI grouping
    std::string action;              // audit action ("user.create"); empty: "METHOD /pattern"
    bool websocket = false;          // upgrades to a WebSocket (a browser may send its token as ?access_token=)
    std::vector<QueryParam> query;   // every query parameter the route takes (any other is refused)
    std::optional<BodySchema> body;  // the request body it takes (none: any body but `{}` is refused)
    Status success = Status::ok;     // what it answers when it works (documented)
    std::string response;            // the success body's schema: a name in components.schemas (api/response_schemas)
    std::string response_media_type = "application/json";  // of the success body
    std::string response_alternative;  // another media type the success body may have (on request), as raw bytes
    bool oauth2_errors = false;        // a 400 answers RFC 6749 {error, error_description}, not problem+json
    bool upstream = false;             // talks to a monitored system: 409/502 problems with a `kind`
    bool charges = false;              // spends wallet credits: 402 insufficient_credits
    bool any_query = false;            // takes any query parameter (the web UI's pages read their own)
};

/// One row of the route table: method, path pattern, the least access it needs, handler, summary.
/// Patterns are `/literal/{param}`; a last segment `{name...}` takes the rest of the path.
class Route {
  public:
    Route(Verb method, std::string pattern, Access access, Handler handler, std::string summary,
          RouteOptions options = {});

    Verb method() const noexcept { return method_; }
    const std::string& pattern() const noexcept { return pattern_; }
    Access access() const noexcept { return access_; }
    const Handler& handler() const noexcept { return handler_; }
    const std::string& summary() const noexcept { return summary_; }
    const RouteOptions& options() const noexcept { return options_; }

    struct Segment {
        enum Kind { kLiteral, kParam, kRest } kind;
        std::string text;  // literal text or parameter name
    };
    const std::vector<Segment>& segments() const noexcept { return segments_; }

  private:
    Verb method_;
    std::string pattern_;
    Access access_;
    Handler handler_;
    std::string summary_;
    RouteOptions options_;
    std::vector<Segment> segments_;
};

struct RouteMatch {
    enum Kind { kFound, kNotFound, kMethodNotAllowed } kind = kNotFound;
    const Route* route = nullptr;
    std::vector<std::pair<std::string_view, std::string>> params;
    std::string allow;  // for kMethodNotAllowed: "GET, HEAD, POST"
};

class Router {
  public:
    /// Throws std::logic_error for a malformed pattern or a duplicate method + pattern.
    void Add(Route route);

    /// Literal segments win over parameters, parameters over a rest segment. HEAD falls back to GET.
    RouteMatch Find(Verb method, std::string_view path) const;

    const std::vector<Route>& routes() const noexcept { return routes_; }

  private:
    void Sort();
    std::vector<Route> routes_;
};

/// Percent-decodes `text` ('+' stays '+'). Returns false on a malformed escape.
bool PercentDecode(std::string_view text, std::string& out);

}  // namespace gatehouse::http
