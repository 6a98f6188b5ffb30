#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/histogram.hpp"

namespace gatehouse::metrics {

/// Writes the Prometheus text exposition format (version 0.0.4).
class Writer {
  public:
    void Family(std::string_view name, std::string_view type, std::string_view help);
    /// `labels` is the pre-rendered inside of the braces (`route="/x",status="200"`), or empty.
    void Sample(std::string_view name, std::string_view labels, double value);
    void HistogramSamples(std::string_view name, std::string_view labels, const Histogram& h);
    std::string Take() { return std::move(out_); }

  private:
    std::string out_;
};

/// Escapes a label value for the exposition format.
std::string LabelValue(std::string_view value);

/// Every module adds a collector that writes its own families; /metrics renders them all.
class Registry {
  public:
    using Collector = std::function<void(Writer&)>;
    /// Work done before a render that must not run on an I/O thread (a database count): it updates what a
    /// collector then reads. A failing refresh is logged and its collector shows the last values.
    using Refresher = std::function<boost::asio::awaitable<void>()>;
    void Add(Collector collector);
    void AddRefresher(Refresher refresher);
    boost::asio::awaitable<void> Refresh() const;
    std::string Render() const;

  private:
    mutable std::mutex mutex_;
    std::vector<Collector> collectors_;
    std::vector<Refresher> refreshers_;
};

/// process_resident_memory_bytes, process_open_fds, process_start_time_seconds.
void WriteProcessMetrics(Writer& writer);

}  // namespace gatehouse::metrics
