#pragma once

#include <string>

#include "apps/app_service.hpp"
#include "audit/audit_log.hpp"
#include "auth/identity_service.hpp"
#include "fleet/fleet_service.hpp"
#include "gateway/gateway_service.hpp"
#include "gateway/identity_key.hpp"
#include "http/router.hpp"
#include "metrics/registry.hpp"
#include "pgmon/monitor_service.hpp"
#include "store/database.hpp"
#include "tasks/task_service.hpp"

namespace gatehouse::api {

struct CookieSettings;

/// What the handlers need; built by app/ and outliving the router.
struct Services {
    store::Database& database;
    metrics::Registry& metrics;
    auth::IdentityService& identity;
    audit::AuditLog& audit;
    fleet::FleetService& fleet;
    tasks::TaskService& tasks;
    apps::AppService& apps;
    pgmon::MonitorService& monitor;
    gateway::GatewayService& gateway;
    const gateway::IdentityKey* gateway_identity = nullptr;  // the keys of GET /.well-known/jwks.json
    bool cookie_secure = false;
    std::string cookie_same_site = "Lax";
    bool gateway_cookie_secure = false;
    std::string gateway_cookie_same_site = "Lax";
};

/// Fills `router` with every route of the API: the one table where method, path, access and
/// handler can be read together.
void BuildRouteTable(http::Router& router, Services& services);

}  // namespace gatehouse::api
