#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "core/errc.hpp"
#include "http/types.hpp"

namespace gatehouse::http {

/// The one place where an expected failure becomes an HTTP status.
Status StatusFor(core::errc code) noexcept;

/// An RFC 9457 application/problem+json response. `errors` (field -> message) is added when not empty, and
/// `extra`'s members (extension members such as `kind`) as they are.
Response Problem(Status status, std::string_view detail, const boost::json::object& errors = {},
                 const boost::json::object& extra = {});

/// The problem for a domain error; the client sees Error::what() (safe by contract), never internal(). A refusal
/// about one request field (a body field that fails its check, a name that is taken) also names it in `errors`.
Response ProblemFor(const core::Error& error);

/// The `type` of a problem with `status`: "/problems/not-found".
std::string ProblemType(Status status);

/// A JSON response with `status`.
Response Json(Status status, const boost::json::value& body);

/// 201 with `body` and `Location: location` (the path of what was created).
Response Created(const boost::json::value& body, const std::string& location);

}  // namespace gatehouse::http
