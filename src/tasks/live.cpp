#include "tasks/live.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace gatehouse::tasks {
namespace {

// Producers (SSH worker threads) wait while this much output is not yet in the database, so a
// target printing faster than the store writes slows down instead of filling memory.
constexpr std::size_t kMaxUnstoredBytes = std::size_t{8} << 20;

}  // namespace

Watcher::Watcher(boost::asio::any_io_executor executor, std::size_t max_queued_bytes)
    : timer_(std::move(executor)), max_bytes_(max_queued_bytes) {}

bool Watcher::overflowed() const {
    std::lock_guard lock(mutex_);
    return overflowed_;
}

void Watcher::Wake() {
    // The timer belongs to the watcher's executor: cancel it there.
    boost::asio::post(timer_.get_executor(), [self = shared_from_this()] { self->timer_.cancel(); });
}

void Watcher::Push(LiveEventPtr event) {
    std::lock_guard lock(mutex_);
    if (overflowed_ || stopped_) return;
    queued_bytes_ += event->bytes();
    if (queued_bytes_ > max_bytes_) {
        // Too slow: drop what is queued and stop feeding it; the handler closes with a reason.
        overflowed_ = true;
        queue_.clear();
        queued_bytes_ = 0;
    } else {
        queue_.push_back(std::move(event));
    }
    if (waiting_) {
        waiting_ = false;
        Wake();
    }
}

void Watcher::Stop() {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    if (waiting_) {
        waiting_ = false;
        Wake();
    }
}

boost::asio::awaitable<std::vector<LiveEventPtr>> Watcher::Next() {
    for (;;) {
        {
            std::lock_guard lock(mutex_);
            if (!queue_.empty() || overflowed_ || stopped_) {
                std::vector<LiveEventPtr> events(std::make_move_iterator(queue_.begin()),
                                                 std::make_move_iterator(queue_.end()));
                queue_.clear();
                queued_bytes_ = 0;
                co_return events;
            }
            waiting_ = true;
        }
        timer_.expires_at(boost::asio::steady_timer::time_point::max());
        boost::system::error_code ec;
        co_await timer_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    }
}

void TaskRun::Publish(LiveEventPtr event) {
    std::size_t live = 0;
    for (std::size_t i = 0; i < watchers.size(); ++i) {
        if (auto watcher = watchers[i].lock()) {
            watcher->Push(event);
            // Never self-move: a weak_ptr moved onto itself ends up empty.
            if (live != i) watchers[live] = std::move(watchers[i]);
            ++live;
        }
    }
    watchers.resize(live);
}

void TaskRun::AddOutput(const std::string& server_id, int stream, std::string data, std::string time, bool may_wait,
                        std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex);
    // An interrupted run may never be written again (the server is stopping): never wait then. Nor past the
    // target's deadline or a cancel: the command is about to be stopped, and the caller must get to see that.
    // Checked at least every 200 ms: the cancel flag changes without a notification.
    if (may_wait) {
        const auto done = [&] {
            return unstored_bytes < kMaxUnstoredBytes || interrupt.load() || cancel->load() ||
                   std::chrono::steady_clock::now() >= deadline;
        };
        while (!done()) {
            const auto next = std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(200));
            stored.wait_until(lock, next);
        }
    }
    auto event = std::make_shared<LiveEvent>();
    event->type = LiveEvent::Type::output;
    event->chunk = Chunk{next_seq++, server_id, stream, std::move(time), std::move(data)};
    unstored_bytes += event->chunk.data.size();
    unstored.push_back(event->chunk);
    Publish(std::move(event));
}

std::vector<Chunk> TaskRun::PeekUnstored(std::size_t max_bytes) {
    std::lock_guard lock(mutex);
    std::vector<Chunk> batch;
    std::size_t bytes = 0;
    for (const auto& chunk : unstored) {
        if (!batch.empty() && bytes + chunk.data.size() > max_bytes) break;
        bytes += chunk.data.size();
        batch.push_back(chunk);
    }
    return batch;
}

void TaskRun::MarkStored(std::int64_t through_seq) {
    {
        std::lock_guard lock(mutex);
        while (!unstored.empty() && unstored.front().seq <= through_seq) {
            unstored_bytes -= unstored.front().data.size();
            unstored.pop_front();
        }
    }
    stored.notify_all();
}

void TaskRun::End() {
    auto event = std::make_shared<LiveEvent>();
    event->type = LiveEvent::Type::finished;
    std::lock_guard lock(mutex);
    finished = true;
    Publish(std::move(event));
    watchers.clear();
}

void TaskRun::ChangeTarget(std::size_t index, const TargetView& target) {
    auto event = std::make_shared<LiveEvent>();
    event->type = LiveEvent::Type::target;
    event->target = target;
    std::lock_guard lock(mutex);
    targets.at(index) = target;
    Publish(std::move(event));
}

TaskRun::Subscription TaskRun::Subscribe(boost::asio::any_io_executor executor, std::size_t max_queued_bytes) {
    std::lock_guard lock(mutex);
    Subscription subscription;
    subscription.unstored.assign(unstored.begin(), unstored.end());
    subscription.targets = targets;
    if (!finished) {
        subscription.watcher = std::make_shared<Watcher>(std::move(executor), max_queued_bytes);
        watchers.push_back(subscription.watcher);
    }
    return subscription;
}

}  // namespace gatehouse::tasks
