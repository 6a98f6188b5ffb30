#pragma once

#include <string>

#include "alerts/alert_service.hpp"
#include "apps/app_service.hpp"
#include "audit/audit_log.hpp"
#include "auth/identity_service.hpp"
#include "collectors/collector_service.hpp"
#include "fleet/fleet_service.hpp"
#include "gateway/gateway_service.hpp"
#include "gateway/identity_key.hpp"
#include "http/router.hpp"
#include "metrics/registry.hpp"
#include "metricstore/metric_service.hpp"
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
    collectors::CollectorService& collectors;
    metricstore::MetricService& metric_store;
    alerts::AlertService& alerts;
    const gateway::IdentityKey* gateway_identity = nullptr;  // the keys of GET /.well-known/jwks.json
    bool cookie_secure = false;
    std::string cookie_same_site = "Lax";
    bool gateway_cookie_secure = false;
    std::string gateway_cookie_same_site = "Lax";
};

/// Fills `router` with every route of the API: the one table where method, path, access and
/// handler can be read together.
void BuildRouteTable(http::Router& router, Services& services);
/// The collectors, metrics and alerts part of the table (route_table_collectors.cpp).
void AddCollectorRoutes(http::Router& router, Services& services);
void AddAlertRoutes(http::Router& router, Services& services);

/// The routes of the collectors' mTLS listener: POST /api/v1/metrics, POST /api/v1/collectors/{id}/renew and
/// GET /api/v1/collectors/{id}/config, each a collector's own.
void BuildCollectorListenerRoutes(http::Router& router, collectors::CollectorService& collectors,
                                  metricstore::MetricService& metrics);

}  // namespace gatehouse::api
