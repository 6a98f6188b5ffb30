#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <filesystem>

#include "api/ops_handlers.hpp"
#include "api/route_table.hpp"
#include "store/migrations.hpp"

namespace gatehouse::api {
namespace {

// Every route of the real table appears in the OpenAPI document with its access level.
TEST(OpenApi, DescribesEveryRouteOfTheTable) {
    const auto dir = std::filesystem::temp_directory_path() / ("gatehouse-openapi-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto database = store::OpenSqlite((dir / "db.sqlite").string(), {});
    store::Migrate(*database);
    metrics::Registry registry;
    audit::AuditLog audit(*database);
    core::WorkerPool workers("test", 1, 10);
    auth::PasswordHasher hasher({1, 8192});
    auth::IdentityService identity(*database, workers, hasher, auth::JwtCodec(std::string(32, 'k')), audit, {});
    vault::Vault vault({std::string(32, 'v')});
    ssh::SshClient ssh_client(workers, {});
    fleet::FleetService fleet(*database, vault, workers, ssh_client, audit, {});
    boost::asio::io_context io;
    tasks::TaskService tasks(*database, fleet, audit, io.get_executor(), {});
    apps::AppService apps(*database, tasks, audit);
    pgmon::ConnectionPools pg_pools(workers, ssh_client, {});
    pgmon::MonitorService monitor(fleet, pg_pools, {});
    gateway::AccessCache access_cache;
    gateway::GatewayService gateway(*database, vault, access_cache);
    collectors::CollectorService collectors(*database, vault);
    metricstore::MetricService metric_store(*database);
    alerts::AlertService alerts(*database, vault, metric_store, io.get_executor());
    Services services{*database, registry, identity,   audit,        fleet,  tasks,  apps,
                      monitor,   gateway,  collectors, metric_store, alerts, nullptr};
    http::Router router;
    BuildRouteTable(router, services);
    const auto document = boost::json::parse(RenderOpenApi(router)).as_object();
    EXPECT_EQ(document.at("openapi").as_string().subview().substr(0, 3), "3.1");
    const auto& paths = document.at("paths").as_object();
    ASSERT_FALSE(router.routes().empty());
    for (const auto& route : router.routes()) {
        std::string path;
        for (const auto& segment : route.segments())
            path += "/" + (segment.kind == http::Route::Segment::kLiteral ? segment.text : "{" + segment.text + "}");
        std::string method(http::beast_http::to_string(route.method()));
        for (auto& ch : method) ch = static_cast<char>(std::tolower(ch));
        ASSERT_TRUE(paths.contains(path)) << path;
        ASSERT_TRUE(paths.at(path).as_object().contains(method)) << method << " " << path;
        EXPECT_EQ(paths.at(path).at(method).at("x-access").as_string(), http::AccessName(route.access()));
    }
    // Every documented operation is a route of the table: nothing documented that does not exist.
    std::size_t operations = 0;
    for (const auto& [path, item] : paths) operations += item.as_object().size();
    EXPECT_EQ(operations, router.routes().size());
    database.reset();
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace gatehouse::api
