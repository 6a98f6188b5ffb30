#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace gatehouse::core {

/// Runs background jobs on Asio timers: each job every `period`, the first run after `first_delay`.
/// A job that throws is logged and runs again next period; runs of one job never overlap.
class Scheduler {
  public:
    explicit Scheduler(boost::asio::any_io_executor executor);
    ~Scheduler();

    void Every(std::string name, std::chrono::milliseconds period, std::function<boost::asio::awaitable<void>()> job,
               std::chrono::milliseconds first_delay = std::chrono::milliseconds(0));

    /// Cancels the timers; running jobs finish their current step.
    void Stop();

  private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace gatehouse::core
