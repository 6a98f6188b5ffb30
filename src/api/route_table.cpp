#include "api/route_table.hpp"

#include "api/ops_handlers.hpp"

namespace gatehouse::api {

using http::Access;
using http::Route;
using http::Verb;

void BuildRouteTable(http::Router& router, Services& services) {
    // Handlers live as long as the router: the table below only holds references to them.
    static_assert(sizeof(OpsHandlers) > 0);
    auto ops = std::make_shared<OpsHandlers>(OpsHandlers{services, router});
    auto bind = [](auto owner, auto method) {
        return [owner, method](http::RequestContext& context) { return ((*owner).*method)(context); };
    };
    const http::RouteOptions ops_tag{.max_body_bytes = 0, .tag = "ops"};

    // clang-format off
    //          method       path                access            handler                               summary
    router.Add({Verb::get,  "/healthz",          Access::kPublic, bind(ops, &OpsHandlers::Health),  "Process is alive", ops_tag});
    router.Add({Verb::get,  "/readyz",           Access::kPublic, bind(ops, &OpsHandlers::Ready),   "Database reachable and migrations current", ops_tag});
    router.Add({Verb::get,  "/metrics",          Access::kPublic, bind(ops, &OpsHandlers::Metrics), "Prometheus metrics", ops_tag});
    router.Add({Verb::get,  "/openapi.json",     Access::kPublic, bind(ops, &OpsHandlers::OpenApi), "This API as OpenAPI 3.1", ops_tag});
    router.Add({Verb::get,  "/docs",             Access::kPublic, bind(ops, &OpsHandlers::Docs),    "API documentation page", ops_tag});
    router.Add({Verb::post, "/api/v1/echo",      Access::kPublic, bind(ops, &OpsHandlers::Echo),    "Echo a JSON body (diagnostics)", ops_tag});
    // clang-format on
}

}  // namespace gatehouse::api
