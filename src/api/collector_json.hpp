#pragma once
// JSON of collectors, their configs and registrations: shared by the main API and the mTLS listener.

#include <boost/json/object.hpp>

#include "collectors/collector_types.hpp"
#include "http/types.hpp"

namespace gatehouse::api {

boost::json::object CollectorJson(const collectors::CollectorView& c);
boost::json::object RegistrationJson(const collectors::Registration& r);
/// The config with its ETag; 304 when the request's If-None-Match names the current version.
http::Response ConfigResponse(const http::RequestContext& context, const collectors::CollectorConfig& config);

}  // namespace gatehouse::api
