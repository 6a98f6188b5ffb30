#include "api/ops_handlers.hpp"

#include <malloc.h>

#include <boost/json/object.hpp>

#include "core/build_info.hpp"
#include "core/json_text.hpp"
#include "core/log.hpp"
#include "http/json_body.hpp"
#include "http/problem.hpp"
#include "store/migrations.hpp"

namespace gatehouse::api {

using http::Json;
using http::Response;
using http::Status;

boost::asio::awaitable<Response> OpsHandlers::Health(http::RequestContext&) const {
    // Probed often by load balancers: the body never changes, so it is serialized once.
    static const std::string body = core::JsonText(boost::json::object{{"status", "ok"}, {"version", core::kVersion}});
    Response response{Status::ok, 11};
    response.set(http::beast_http::field::content_type, "application/json");
    response.body() = body;
    co_return response;
}

boost::asio::awaitable<Response> OpsHandlers::Ready(http::RequestContext&) const {
    auto& db = services.database;
    try {
        const auto status = co_await core::Offload(db.read_pool(), [&db] { return store::GetMigrationStatus(db); });
        if (!status.up_to_date())
            co_return http::Problem(Status::service_unavailable,
                                    "database schema is at version " + std::to_string(status.current) +
                                        ", this binary needs " + std::to_string(status.latest));
        co_return Json(Status::ok, {{"status", "ready"}, {"schema_version", status.current}});
    } catch (const std::exception& e) {
        // The reason (driver text) may name hosts or users: it goes to the log, not to the prober.
        core::LogWarn("readyz.database_unreachable", {{"error", e.what()}});
    }
    co_return http::Problem(Status::service_unavailable, "database unreachable");
}

boost::asio::awaitable<Response> OpsHandlers::Metrics(http::RequestContext&) const {
    Response response{Status::ok, 11};
    response.set(http::beast_http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    co_await services.metrics.Refresh();
    response.body() = services.metrics.Render();
    co_return response;
}

boost::asio::awaitable<Response> OpsHandlers::OpenApi(http::RequestContext&) const {
    Response response{Status::ok, 11};
    response.set(http::beast_http::field::content_type, "application/json");
    response.body() = RenderOpenApi(router);
    // Building the document takes a few MiB for a moment: give them back to the system rather than keep them in
    // this thread's heap for good.
    ::malloc_trim(0);
    co_return response;
}

boost::asio::awaitable<Response> OpsHandlers::Docs(http::RequestContext&) const {
    Response response{Status::ok, 11};
    response.set(http::beast_http::field::content_type, "text/html; charset=utf-8");
    response.set("Content-Security-Policy",
                 "default-src 'self'; script-src 'unsafe-inline' 'self'; style-src 'unsafe-inline'");
    response.body() = std::string(DocsPage());
    co_return response;
}

boost::asio::awaitable<Response> OpsHandlers::Echo(http::RequestContext& context) const {
    co_return Json(Status::ok, {{"received", http::ParseJsonBody(context)}});
}

}  // namespace gatehouse::api
