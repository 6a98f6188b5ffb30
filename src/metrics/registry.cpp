#include "metrics/registry.hpp"

#include <fmt/format.h>

#include "core/log.hpp"

namespace gatehouse::metrics {

void Writer::Family(std::string_view name, std::string_view type, std::string_view help) {
    fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void Writer::Sample(std::string_view name, std::string_view labels, double value) {
    if (labels.empty())
        fmt::format_to(std::back_inserter(out_), "{} {}\n", name, value);
    else
        fmt::format_to(std::back_inserter(out_), "{}{{{}}} {}\n", name, labels, value);
}

void Writer::HistogramSamples(std::string_view name, std::string_view labels, const Histogram& h) {
    const std::string sep = labels.empty() ? "" : ",";
    for (std::size_t i = 0; i < Histogram::kBounds.size(); ++i)
        fmt::format_to(std::back_inserter(out_), "{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, sep,
                       Histogram::kBounds[i], h.CumulativeCount(i));
    fmt::format_to(std::back_inserter(out_), "{}_bucket{{{}{}le=\"+Inf\"}} {}\n", name, labels, sep, h.count());
    Sample(std::string(name) + "_sum", labels, h.sum());
    Sample(std::string(name) + "_count", labels, static_cast<double>(h.count()));
}

std::string LabelValue(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char ch : value) {
        if (ch == '\\' || ch == '"') {
            out.push_back('\\');
            out.push_back(ch);
        } else if (ch == '\n') {
            out += "\\n";
        } else {
            out.push_back(ch);
        }
    }
    return out;
}

void Registry::Add(Collector collector) {
    std::lock_guard lock(mutex_);
    collectors_.push_back(std::move(collector));
}

void Registry::AddRefresher(Refresher refresher) {
    std::lock_guard lock(mutex_);
    refreshers_.push_back(std::move(refresher));
}

boost::asio::awaitable<void> Registry::Refresh() const {
    std::vector<Refresher> refreshers;
    {
        std::lock_guard lock(mutex_);
        refreshers = refreshers_;
    }
    for (const auto& refresher : refreshers) {
        try {
            co_await refresher();
        } catch (const std::exception& e) {
            core::LogWarn("metrics.refresh_failed", {{"error", e.what()}});
        }
    }
}

std::string Registry::Render() const {
    Writer writer;
    std::lock_guard lock(mutex_);
    for (const auto& collector : collectors_) collector(writer);
    return writer.Take();
}

}  // namespace gatehouse::metrics
