#pragma once
// Live state of a task that runs in this process: output not yet stored, per-target states, and the
// watchers that stream it. Shared by the runner (publisher) and the WebSocket handlers (watchers).

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "tasks/task_types.hpp"

namespace gatehouse::tasks {

/// Something a watcher is told: a chunk of output, a target's new state, or the end of the task.
struct LiveEvent {
    enum class Type { output, target, finished } type = Type::output;
    Chunk chunk;        // output
    TargetView target;  // target
    std::size_t bytes() const noexcept { return chunk.data.size() + 256; }
};
using LiveEventPtr = std::shared_ptr<const LiveEvent>;

/// One subscriber with a bounded queue. Push runs on any thread; Next on the watcher's executor.
class Watcher : public std::enable_shared_from_this<Watcher> {
  public:
    Watcher(boost::asio::any_io_executor executor, std::size_t max_queued_bytes);

    /// Waits until there are events (or the watcher overflowed, ended or was stopped) and takes them.
    boost::asio::awaitable<std::vector<LiveEventPtr>> Next();
    /// True when events were dropped because the watcher did not keep up; it gets nothing more.
    bool overflowed() const;
    /// Wakes Next for good (the client left).
    void Stop();

    void Push(LiveEventPtr event);

  private:
    void Wake();

    boost::asio::steady_timer timer_;
    const std::size_t max_bytes_;
    mutable std::mutex mutex_;
    std::deque<LiveEventPtr> queue_;
    std::size_t queued_bytes_ = 0;
    bool waiting_ = false;
    bool overflowed_ = false;
    bool stopped_ = false;
};

/// The in-memory side of a running task.
struct TaskRun {
    std::string id;
    std::shared_ptr<std::atomic<bool>> cancel = std::make_shared<std::atomic<bool>>(false);
    std::atomic<bool> interrupt{false};  // the server is stopping: end targets as interrupted

    std::mutex mutex;                // guards everything below
    std::condition_variable stored;  // producers wait here while too much output is unstored
    std::int64_t next_seq = 1;
    std::deque<Chunk> unstored;  // published, not yet written; seq order
    std::size_t unstored_bytes = 0;
    std::vector<std::weak_ptr<Watcher>> watchers;
    std::vector<TargetView> targets;  // each target's latest state (in the task's order), maybe not stored yet
    bool finished = false;

    /// The task's end is stored: tells the watchers and lets them go. Any thread.
    void End();
    /// Records the new state of the task's target number `index` and tells the watchers. Any thread.
    void ChangeTarget(std::size_t index, const TargetView& target);
    /// Assigns the next seq, keeps the chunk for the store and tells the watchers. Any thread.
    /// `may_wait`: an SSH worker thread may block while too much is unstored; the run's executor must not. The wait
    /// ends at `deadline` (the target's timeout) or when the task is cancelled or interrupted, whatever the store
    /// does: a stuck store cannot keep a remote command running past its time.
    void AddOutput(const std::string& server_id, int stream, std::string data, std::string time, bool may_wait,
                   std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max());
    void Publish(LiveEventPtr event);  // caller holds `mutex`
    /// Copies up to `max_bytes` of unstored chunks (at least one) for the writer; they stay visible
    /// to new subscribers until MarkStored says they are in the database.
    std::vector<Chunk> PeekUnstored(std::size_t max_bytes);
    void MarkStored(std::int64_t through_seq);

    struct Subscription {
        std::shared_ptr<Watcher> watcher;  // null when the task already finished
        std::vector<Chunk> unstored;       // chunks published but maybe not in the store yet
        std::vector<TargetView> targets;   // every target's state when subscribing, maybe not in the store yet
    };
    Subscription Subscribe(boost::asio::any_io_executor executor, std::size_t max_queued_bytes);
};

}  // namespace gatehouse::tasks
