#include "api/pgmon_handlers.hpp"

#include <charconv>

#include "api/gatekeeper.hpp"
#include "auth/principal.hpp"
#include "http/problem.hpp"

namespace gatehouse::api {
namespace json = boost::json;
using http::Response;
using http::Status;

namespace {

// ?fresh=true skips the cache: a query on the monitored server for every call, so operators and admins only.
bool Fresh(const http::RequestContext& context) {
    if (context.Query("fresh").value_or("false") != "true") return false;
    if (Caller(context).role < auth::Role::operator_)
        throw core::Error(core::errc::forbidden, "fresh=true (bypassing the cache) needs the operator role");
    return true;
}

Response SnapshotResponse(const pgmon::Snapshot& snapshot) {
    auto response = http::Json(Status::ok, snapshot.body);
    response.set("X-Cache", snapshot.cache_hit ? "hit" : "miss");
    return response;
}

Response TextResponse(std::string body) {
    Response response{Status::ok, 11};
    response.set(http::beast_http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    response.body() = std::move(body);
    return response;
}

int PidParam(const http::RequestContext& context) {
    const auto text = context.Param("pid");
    int pid = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), pid);
    if (ec != std::errc() || end != text.data() + text.size() || pid <= 0)
        throw core::Error(core::errc::invalid_argument, "pid must be a positive integer");
    return pid;
}

// A database name as PostgreSQL allows it (at most 63 bytes); nothing of it reaches SQL text, it is a libpq dbname.
std::string DatabaseParam(const http::RequestContext& context) {
    std::string db(context.Param("db"));
    if (db.empty() || db.size() > 63 || db.find('\0') != std::string::npos || db.find('=') != std::string::npos)
        throw core::Error(core::errc::invalid_argument, "db must be a database name of 1 to 63 bytes");
    return db;
}

}  // namespace

boost::asio::awaitable<Response> PgmonHandlers::Activity(http::RequestContext& context) const {
    pgmon::ActivityFilter filter;
    filter.state = context.Query("state");
    filter.database = context.Query("database");
    if (const auto min = context.Query("min_duration_ms")) filter.min_duration_ms = std::stoll(*min);
    filter.include_self = context.Query("include_self").value_or("false") == "true";
    const bool fresh = Fresh(context);
    const auto snapshot = co_await monitor.Activity(std::string(context.Param("id")), std::move(filter), fresh);
    co_return SnapshotResponse(snapshot);
}

boost::asio::awaitable<Response> PgmonHandlers::Signal(http::RequestContext& context, bool terminate) const {
    const int pid = PidParam(context);
    context.audit.details["pid"] = pid;
    const auto result = co_await monitor.Signal(std::string(context.Param("id")), pid, terminate);
    context.audit.details["user"] = result.backend.user;
    context.audit.details["database"] = result.backend.database;
    context.audit.details["query"] = result.backend.query;
    context.audit.details["signalled"] = result.signalled;
    co_return http::Json(Status::ok, {{"pid", pid},
                                      {"action", terminate ? "terminate" : "cancel"},
                                      {"signalled", result.signalled},
                                      {"user", result.backend.user},
                                      {"database", result.backend.database},
                                      {"application", result.backend.application},
                                      {"backend_type", result.backend.backend_type},
                                      {"query", result.backend.query}});
}

boost::asio::awaitable<Response> PgmonHandlers::Cancel(http::RequestContext& context) const {
    co_return co_await Signal(context, false);
}

boost::asio::awaitable<Response> PgmonHandlers::Terminate(http::RequestContext& context) const {
    co_return co_await Signal(context, true);
}

boost::asio::awaitable<Response> PgmonHandlers::Stats(http::RequestContext& context) const {
    const bool fresh = Fresh(context);
    co_return SnapshotResponse(co_await monitor.Stats(std::string(context.Param("id")), fresh));
}

boost::asio::awaitable<Response> PgmonHandlers::Databases(http::RequestContext& context) const {
    const bool fresh = Fresh(context);
    co_return SnapshotResponse(co_await monitor.Databases(std::string(context.Param("id")), fresh));
}

boost::asio::awaitable<Response> PgmonHandlers::DatabaseStats(http::RequestContext& context) const {
    pgmon::StatementsQuery statements;
    if (const auto top = context.Query("top")) statements.top = std::stoi(*top);
    statements.order = context.Query("order").value_or("total_time");
    statements.text = context.Query("text").value_or("false") == "true";
    const std::string db = DatabaseParam(context);
    const bool fresh = Fresh(context);
    co_return SnapshotResponse(
        co_await monitor.DatabaseStats(std::string(context.Param("id")), db, std::move(statements), fresh));
}

boost::asio::awaitable<Response> PgmonHandlers::ServerMetrics(http::RequestContext& context) const {
    co_return TextResponse(co_await monitor.Metrics(std::string(context.Param("id"))));
}

boost::asio::awaitable<Response> PgmonHandlers::AllMetrics(http::RequestContext&) const {
    co_return TextResponse(co_await monitor.AllMetrics());
}

boost::asio::awaitable<Response> PgmonHandlers::Pools(http::RequestContext&) const {
    json::array rows;
    for (const auto& p : monitor.Pools())
        rows.push_back(json::object{{"server_id", p.server_id},
                                    {"database", p.database},
                                    {"class", p.pool_class},
                                    {"size", p.size},
                                    {"in_use", p.in_use},
                                    {"idle", p.idle},
                                    {"waiting", p.waiting},
                                    {"created_total", p.created_total},
                                    {"errors_total", p.errors_total}});
    co_return http::Json(Status::ok, rows);
}

}  // namespace gatehouse::api
