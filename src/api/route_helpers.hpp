#pragma once
// Shorthands of the route tables (route_table*.cpp): binding handlers and filling RouteOptions.

#include <memory>
#include <string>
#include <vector>

#include "http/router.hpp"

namespace gatehouse::api::routes {

// Binds a handler object (shared by its routes) to one of its member functions.
template <class Owner, class Method>
inline http::Handler Bind(std::shared_ptr<Owner> owner, Method method) {
    return [owner, method](http::RequestContext& context) { return ((*owner).*method)(context); };
}

inline http::RouteOptions Tag(std::string tag, std::string action = {}) {
    return http::RouteOptions{.max_body_bytes = 0, .tag = std::move(tag), .action = std::move(action)};
}

// `options` with the query parameters the route takes.
inline http::RouteOptions Takes(http::RouteOptions options, std::vector<http::QueryParam> query) {
    options.query = std::move(query);
    return options;
}

// `options` with the JSON body the route takes.
inline http::RouteOptions Accepts(http::RouteOptions options, http::BodySchema body) {
    options.body = std::move(body);
    return options;
}

// The same body for PATCH: every field optional.
inline http::BodySchema Partial(http::BodySchema body) {
    body.partial = true;
    return body;
}

// `options` of a route that answers `status` when it works.
inline http::RouteOptions Answers(http::Status status, http::RouteOptions options) {
    options.success = status;
    return options;
}

// `route` with options changed by `change`.
template <class Change>
inline http::Route WithOptions(const http::Route& route, Change change) {
    auto options = route.options();
    change(options);
    return http::Route(route.method(), route.pattern(), route.access(), route.handler(), route.summary(),
                       std::move(options));
}

// `route`, its success body described by `schema`: a name in components.schemas (api/response_schemas).
inline http::Route Returns(std::string schema, const http::Route& route) {
    return WithOptions(route, [&](http::RouteOptions& o) { o.response = std::move(schema); });
}

// `route`, its success body of `media_type` (not JSON).
inline http::Route ReturnsMedia(std::string media_type, const http::Route& route) {
    return WithOptions(route, [&](http::RouteOptions& o) { o.response_media_type = std::move(media_type); });
}

// `body` with an example for the OpenAPI document (redocly checks it against the schema).
inline http::BodySchema Example(http::BodySchema body, boost::json::value example) {
    body.example = std::move(example);
    return body;
}

// `options` of a route whose 400 answers are RFC 6749 {error, error_description}.
inline http::RouteOptions OAuth2Errors(http::RouteOptions options) {
    options.oauth2_errors = true;
    return options;
}

// `options` of a route that reads a monitored PostgreSQL: its failures are problems with a kind.
inline http::RouteOptions Upstream(http::RouteOptions options) {
    options.upstream = true;
    return options;
}

// `options` of a route that spends wallet credits: 402 insufficient_credits.
inline http::RouteOptions Charges(http::RouteOptions options) {
    options.charges = true;
    return options;
}

// `limit` and `cursor`, then `filters`.
inline std::vector<http::QueryParam> Paged(std::vector<http::QueryParam> filters = {}) {
    auto query = http::PagingQuery();
    for (auto& filter : filters) query.push_back(std::move(filter));
    return query;
}

}  // namespace gatehouse::api::routes
