#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace gatehouse::core {

/// Concurrent calls for the same key share one run of the work: the first caller runs it, the others wait for
/// its outcome (the value, or the exception rethrown to each). Thread-safe; callers may be on any executors.
/// The waiters hold no thread while they wait.
template <class T>
class SingleFlight {
  public:
    /// `work`: a callable returning boost::asio::awaitable<T>, run by the first caller for `key`.
    template <class Work>
    boost::asio::awaitable<T> Run(const std::string& key, Work work) {
        std::shared_ptr<Flight> flight;
        bool leader = false;
        {
            std::lock_guard lock(mutex_);
            auto& slot = flights_[key];
            if (!slot) {
                slot = std::make_shared<Flight>();
                leader = true;
            }
            flight = slot;
        }
        if (leader) {
            std::optional<T> value;
            std::exception_ptr error;
            try {
                value.emplace(co_await work());
            } catch (...) {
                error = std::current_exception();
            }
            Land(key, *flight, std::move(value), error);
        } else {
            auto timer = std::make_shared<boost::asio::steady_timer>(co_await boost::asio::this_coro::executor,
                                                                     boost::asio::steady_timer::time_point::max());
            bool done = false;
            {
                std::lock_guard lock(mutex_);
                done = flight->done;
                if (!done) flight->waiters.push_back(timer);
            }
            if (!done) co_await timer->async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        }
        std::lock_guard lock(mutex_);
        if (flight->error) std::rethrow_exception(flight->error);
        co_return *flight->value;
    }

    /// Keys with a run in progress (for tests and metrics).
    std::size_t in_flight() const {
        std::lock_guard lock(mutex_);
        return flights_.size();
    }

  private:
    struct Flight {
        bool done = false;
        std::optional<T> value;
        std::exception_ptr error;
        std::vector<std::shared_ptr<boost::asio::steady_timer>> waiters;
    };

    void Land(const std::string& key, Flight& flight, std::optional<T> value, std::exception_ptr error) {
        std::vector<std::shared_ptr<boost::asio::steady_timer>> waiters;
        {
            std::lock_guard lock(mutex_);
            flight.value = std::move(value);
            flight.error = error;
            flight.done = true;
            waiters.swap(flight.waiters);
            flights_.erase(key);
        }
        // Expiring (rather than cancelling) also wakes a waiter that has not started its wait yet.
        for (auto& timer : waiters)
            boost::asio::post(timer->get_executor(),
                              [timer] { timer->expires_at(boost::asio::steady_timer::time_point::min()); });
    }

    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;
};

}  // namespace gatehouse::core
