#pragma once

#include <memory>

#include "collectors/collector_service.hpp"
#include "config/config.hpp"
#include "core/io_pool.hpp"
#include "metricstore/metric_service.hpp"

namespace gatehouse::app {

/// The collectors' mTLS listener (collectors.listen): TLS that requires a client certificate chained to a trusted
/// CA of the collectors and held by a live collector; its certificate from collectors.cert_file or issued by the
/// internal CA. Serves pushes, renewals and configs.
class CollectorListener {
  public:
    CollectorListener(const config::Config& config, core::IoContextPool& io, collectors::CollectorService& collectors,
                      metricstore::MetricService& metrics);
    ~CollectorListener();
    /// Binds, starts accepting, and returns "host:port" as bound. Throws std::runtime_error.
    std::string Start();
    boost::asio::awaitable<void> Shutdown(std::chrono::milliseconds grace);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gatehouse::app
