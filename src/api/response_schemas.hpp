#pragma once

#include <boost/json/object.hpp>

namespace gatehouse::api {

/// components.schemas of /openapi.json for response bodies: the names routes give as RouteOptions::response.
boost::json::object ResponseSchemas();

}  // namespace gatehouse::api
