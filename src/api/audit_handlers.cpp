#include "api/audit_handlers.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "api/json_fields.hpp"
#include "core/errc.hpp"
#include "core/time.hpp"
#include "http/problem.hpp"

namespace gatehouse::api {
namespace {

using core::errc;
using http::Json;
using http::Response;
using http::Status;

std::optional<core::Clock::time_point> TimeParam(const http::RequestContext& context, std::string_view name) {
    const auto text = FilterParam(context, name);
    if (!text) return std::nullopt;
    const auto time = core::ParseRfc3339(*text);
    if (!time) {
        throw core::Error(errc::invalid_argument,
                          std::string(name) + " must be an RFC 3339 timestamp, e.g. 2026-01-31T12:00:00Z");
    }
    return time;
}

std::optional<std::string> OutcomeParam(const http::RequestContext& context) {
    static constexpr std::string_view kOutcomes[] = {"success", "failure", "denied"};
    return ChoiceParam(context, "outcome", kOutcomes);
}

void CheckRange(const std::optional<core::Clock::time_point>& since,
                const std::optional<core::Clock::time_point>& until) {
    if (since && until && *until < *since) throw core::Error(errc::invalid_argument, "until must not be before since");
}

}  // namespace

boost::asio::awaitable<Response> AuditHandlers::Events(http::RequestContext& context) const {
    audit::Filter filter;
    filter.actor = FilterParam(context, "actor");
    filter.action = FilterParam(context, "action");
    filter.resource_type = FilterParam(context, "resource_type");
    filter.resource_id = FilterParam(context, "resource_id");
    filter.outcome = OutcomeParam(context);
    filter.since = TimeParam(context, "since");
    filter.until = TimeParam(context, "until");
    CheckRange(filter.since, filter.until);
    filter.limit = PageLimit(context);
    filter.cursor = FilterParam(context, "cursor");

    const audit::Page page = co_await log.Query(std::move(filter));
    boost::json::array items;
    items.reserve(page.items.size());
    for (const auto& event : page.items) items.push_back(audit::ToJson(event));
    boost::json::object body;
    body["items"] = std::move(items);
    body["next_cursor"] = page.next_cursor ? boost::json::value(*page.next_cursor) : boost::json::value(nullptr);
    co_return Json(Status::ok, body);
}

boost::asio::awaitable<Response> AuditHandlers::Stats(http::RequestContext& context) const {
    const auto since = TimeParam(context, "since");
    const auto until = TimeParam(context, "until");
    CheckRange(since, until);

    const std::vector<audit::StatsRow> rows = co_await log.Stats(since, until);
    boost::json::array items;
    items.reserve(rows.size());
    for (const auto& row : rows) {
        items.push_back({{"day", row.day}, {"action", row.action}, {"outcome", row.outcome}, {"count", row.count}});
    }
    co_return Json(Status::ok, boost::json::object{{"items", std::move(items)}});
}

}  // namespace gatehouse::api
