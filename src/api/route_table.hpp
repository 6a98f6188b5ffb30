#pragma once

#include <string>

#include "http/router.hpp"
#include "metrics/registry.hpp"
#include "store/database.hpp"

namespace gatehouse::api {

/// What the handlers need; built by app/ and outliving the router.
struct Services {
    store::Database& database;
    metrics::Registry& metrics;
};

/// Fills `router` with every route of the API: the one table where method, path, access and
/// handler can be read together.
void BuildRouteTable(http::Router& router, Services& services);

}  // namespace gatehouse::api
