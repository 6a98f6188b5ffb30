#pragma once

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

namespace gatehouse::core {

/// One io_context per thread. A connection lives on one of them for its whole life, so its
/// handlers never run concurrently and need no strand.
class IoContextPool {
  public:
    explicit IoContextPool(std::size_t threads);
    ~IoContextPool();

    /// The context for the next connection (round robin).
    boost::asio::io_context& Next();
    boost::asio::io_context& First() { return *contexts_.front(); }
    std::size_t size() const noexcept { return contexts_.size(); }

    /// Runs every context, one on the calling thread; returns once all have stopped.
    void Run();
    /// Stops every context.
    void Stop();

  private:
    using Guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
    std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
    std::vector<Guard> guards_;
    std::atomic<std::size_t> next_{0};
};

}  // namespace gatehouse::core
