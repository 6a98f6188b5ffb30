#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "metricstore/sample.hpp"

namespace gatehouse::metricstore {

/// A Prometheus remote-write 1.0 body: the protobuf WriteRequest of `samples` (one TimeSeries per series, labels
/// sorted with __name__), snappy-compressed (block format).
std::string EncodeRemoteWrite(const std::vector<Sample>& samples);

struct RemoteWriteOptions {
    std::string url;                           // metrics.remote_write_url
    std::size_t max_queued = 200000;           // samples waiting; the oldest are dropped (and counted) beyond
    std::size_t max_batch = 5000;              // samples per request
    std::chrono::milliseconds interval{1000};  // how often the queue is sent
    std::chrono::seconds timeout{10};
};

/// Forwards accepted samples to a Prometheus remote-write endpoint (Prometheus, VictoriaMetrics, Mimir) for fleets
/// whose history outgrows one database: a bounded queue, sent in batches from one coroutine, a batch kept and sent
/// again (backoff up to a minute) while the endpoint fails with a 5xx or not at all, dropped on a 4xx. Thread-safe
/// Enqueue.
class RemoteWriter {
  public:
    RemoteWriter(boost::asio::any_io_executor executor, RemoteWriteOptions options);
    ~RemoteWriter();
    void Enqueue(const std::vector<Sample>& samples);
    /// Starts the sending loop on the executor.
    void Start();

    struct Counters {
        std::uint64_t sent = 0;
        std::uint64_t dropped = 0;   // queue full, or refused by the endpoint (4xx)
        std::uint64_t failures = 0;  // requests that failed and were retried
    };
    Counters counters() const;

  private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace gatehouse::metricstore
