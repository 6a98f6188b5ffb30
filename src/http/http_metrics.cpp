#include "http/detail/http_metrics.hpp"

#include <fmt/format.h>

namespace gatehouse::http::detail {

HttpMetrics::HttpMetrics(metrics::Registry& registry) {
    registry.Add([this](metrics::Writer& writer) { Write(writer); });
}

void HttpMetrics::Observe(const Route* route, std::string_view method, unsigned status, double seconds) {
    const auto verb = beast_http::string_to_verb(method);
    const Key key{route, status, static_cast<int>(verb)};
    Series* series = nullptr;
    {
        std::lock_guard lock(mutex_);
        auto& slot = series_[key];
        if (!slot) {
            slot = std::make_unique<Series>();
            const std::string_view pattern = route ? std::string_view(route->pattern()) : std::string_view("unmatched");
            const std::string_view shown = verb == Verb::unknown ? std::string_view("other") : method;
            slot->labels = fmt::format("route=\"{}\",method=\"{}\",status=\"{}\"", metrics::LabelValue(pattern),
                                       metrics::LabelValue(shown), status);
        }
        series = slot.get();
    }
    series->count.fetch_add(1, std::memory_order_relaxed);
    series->latency.Observe(seconds);
}

void HttpMetrics::Write(metrics::Writer& writer) const {
    std::lock_guard lock(mutex_);
    writer.Family("gatehouse_http_requests_total", "counter", "HTTP requests answered, by route, method and status.");
    for (const auto& [key, series] : series_)
        writer.Sample("gatehouse_http_requests_total", series->labels, static_cast<double>(series->count.load()));
    writer.Family("gatehouse_http_request_duration_seconds", "histogram",
                  "Time from the end of the request header to the response written.");
    for (const auto& [key, series] : series_)
        writer.HistogramSamples("gatehouse_http_request_duration_seconds", series->labels, series->latency);
    writer.Family("gatehouse_http_requests_in_flight", "gauge", "Requests being processed now.");
    writer.Sample("gatehouse_http_requests_in_flight", "", static_cast<double>(in_flight_.load()));
    writer.Family("gatehouse_http_websockets_open", "gauge", "WebSocket connections open now.");
    writer.Sample("gatehouse_http_websockets_open", "", static_cast<double>(websockets_open_.load()));
}

}  // namespace gatehouse::http::detail
