#include "api/metric_handlers.hpp"

#include <boost/json/array.hpp>
#include <charconv>
#include <cmath>

#include "api/json_fields.hpp"
#include "config/config.hpp"
#include "core/errc.hpp"
#include "core/time.hpp"
#include "http/problem.hpp"

namespace gatehouse::api {

using http::Response;
using http::Status;
namespace json = boost::json;

namespace {

[[noreturn]] void Invalid(const std::string& why) { throw core::Error(core::errc::invalid_argument, why); }

std::int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(core::Clock::now().time_since_epoch()).count();
}

// Unix seconds (fractional allowed) or RFC 3339, in milliseconds.
std::optional<std::int64_t> TimeParam(const http::RequestContext& context, std::string_view name) {
    const auto text = FilterParam(context, name);
    if (!text) return std::nullopt;
    double seconds = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), seconds);
    if (ec == std::errc() && end == text->data() + text->size() && std::isfinite(seconds) &&
        seconds > -36500.0 * 86400 && seconds < 16725225600.0) {
        // A negative number is relative: -3600 is an hour ago.
        if (seconds < 0) return NowMs() + static_cast<std::int64_t>(std::llround(seconds * 1000));
        return static_cast<std::int64_t>(std::llround(seconds * 1000));
    }
    if (const auto parsed = core::ParseRfc3339(*text))
        return std::chrono::duration_cast<std::chrono::milliseconds>(parsed->time_since_epoch()).count();
    Invalid("query parameter '" + std::string(name) + "' must be Unix seconds or an RFC 3339 time");
}

metricstore::Labels Matchers(const http::RequestContext& context) {
    metricstore::Labels match;
    for (auto& [label, value] : http::QueryFamily(context.query, "match")) {
        if (!metricstore::IsLabelName(label)) Invalid("query parameter 'match[" + label + "]' names no valid label");
        match.emplace_back(std::move(label), std::move(value));
    }
    std::sort(match.begin(), match.end());
    return match;
}

json::object LabelsObject(const metricstore::Labels& labels) {
    json::object object;
    for (const auto& [name, value] : labels) object[name] = value;
    return object;
}

}  // namespace

boost::asio::awaitable<Response> MetricHandlers::Query(http::RequestContext& context) const {
    metricstore::QueryRequest request;
    request.name = FilterParam(context, "name").value_or("");
    if (request.name.empty()) Invalid("query parameter 'name' is required");
    request.match = Matchers(context);
    request.to_ms = TimeParam(context, "to").value_or(NowMs());
    request.from_ms = TimeParam(context, "from").value_or(request.to_ms - 3600 * 1000);
    request.step_ms = IntParam(context, "step", 1, 366 * 86400).value_or(0) * 1000;
    request.agg = FilterParam(context, "agg").value_or("avg");
    if (const auto group_by = FilterParam(context, "group_by")) {
        for (auto& label : config::SplitList(*group_by)) {
            if (!metricstore::IsLabelName(label)) Invalid("query parameter 'group_by' holds an invalid label name");
            request.group_by.push_back(std::move(label));
        }
    }
    const auto from_ms = request.from_ms;
    const auto to_ms = request.to_ms;
    const auto name = request.name;
    const auto agg = request.agg;
    auto result = co_await metrics.Query(std::move(request));
    json::array series;
    for (const auto& s : result.series) {
        json::array points;
        points.reserve(s.points.size());
        for (const auto& [t, v] : s.points) points.push_back(json::array{t, v});
        series.push_back(json::object{{"labels", LabelsObject(s.labels)}, {"points", std::move(points)}});
    }
    co_return http::Json(Status::ok, {{"name", name},
                                      {"agg", agg},
                                      {"from", static_cast<double>(from_ms) / 1000.0},
                                      {"to", static_cast<double>(to_ms) / 1000.0},
                                      {"step", static_cast<double>(result.step_ms) / 1000.0},
                                      {"resolution", result.resolution},
                                      {"series", std::move(series)}});
}

boost::asio::awaitable<Response> MetricHandlers::Latest(http::RequestContext& context) const {
    auto name = FilterParam(context, "name").value_or("");
    if (name.empty()) Invalid("query parameter 'name' is required");
    auto match = Matchers(context);
    auto points = co_await metrics.Latest(name, std::move(match));
    json::array series;
    for (const auto& p : points)
        series.push_back(json::object{{"labels", LabelsObject(p.labels)}, {"time", p.time}, {"value", p.value}});
    co_return http::Json(Status::ok, {{"name", name}, {"series", std::move(series)}});
}

boost::asio::awaitable<Response> MetricHandlers::Series(http::RequestContext& context) const {
    auto name = FilterParam(context, "name").value_or("");
    auto match = Matchers(context);
    auto page = co_await metrics.Series(std::move(name), std::move(match), PageLimit(context),
                                        context.Query("cursor").value_or(""));
    json::array items;
    for (const auto& s : page.items)
        items.push_back(json::object{{"name", s.name}, {"labels", LabelsObject(s.labels)}});
    co_return http::Json(Status::ok, {{"items", std::move(items)}, {"next_cursor", OptionalJson(page.next_cursor)}});
}

}  // namespace gatehouse::api
