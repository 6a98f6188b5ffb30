// One task's run: a fixed number of workers take targets in turn; output goes to watchers at once
// and to the database in batches; the run's own loop is the only writer of its rows.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/errc.hpp"
#include "core/log.hpp"
#include "core/text.hpp"
#include "ssh/ssh_client.hpp"
#include "tasks/remote_commands.hpp"
#include "tasks/task_impl.hpp"
#include "tasks/task_sql.hpp"

namespace gatehouse::tasks {
namespace {

namespace asio = boost::asio;

constexpr std::size_t kTailBytes = 4096;
constexpr std::size_t kBatchBytes = std::size_t{4} << 20;
constexpr auto kWriteInterval = std::chrono::milliseconds(100);
// Once the targets are done, failed writes of what is left are tried this often before the run gives up.
constexpr int kFinalStoreAttempts = 20;
constexpr auto kRetryInterval = std::chrono::milliseconds(250);
// How often an idle run (nothing to write) reads whether another instance asked for a cancel.
constexpr auto kCancelPollInterval = std::chrono::milliseconds(500);

bool ReportsResult(std::string_view kind) { return kind == "deploy_key" || kind == "revoke_key"; }

/// What a run shares between its workers and its writer loop (all on the run's executor).
struct RunState {
    TaskView task;
    std::string command;
    std::shared_ptr<TaskRun> run;
    std::size_t next = 0;           // next target to start
    std::size_t workers = 0;        // still running
    std::vector<TargetView> dirty;  // target rows to write
    bool task_dirty = true;
    asio::steady_timer* tick = nullptr;
    bool store_failing = false;  // the last write failed (logged once per outage, not per attempt)
    std::chrono::steady_clock::time_point cancel_checked{};  // when the stored cancel flag was last read
};

/// Turns raw chunks of one target into stored output: the process-group announcement is taken out
/// of stderr, and a multi-byte UTF-8 character cut by a read is held until its last byte arrives,
/// so text stays text in the JSON views.
class OutputSink {
  public:
    OutputSink(TaskRun& run, std::string server_id, bool keep_tail, std::chrono::steady_clock::time_point deadline,
               std::atomic<std::uint64_t>& received_bytes)
        : run_(run),
          server_id_(std::move(server_id)),
          keep_tail_(keep_tail),
          deadline_(deadline),
          received_bytes_(received_bytes) {}

    void Add(int stream, std::string_view data) {  // on an SSH worker thread
        received_bytes_.fetch_add(data.size(), std::memory_order_relaxed);
        std::string text = stream == 2 ? announcement_.Feed(data) : std::string(data);
        Emit(stream, std::move(text), false);
    }
    void Finish() {  // on the run's executor, after the command ended: must not wait
        Emit(2, announcement_.Flush(), true);
        for (int stream : {1, 2}) {
            std::string& held = held_[stream - 1];
            if (!held.empty()) run_.AddOutput(server_id_, stream, std::exchange(held, {}), core::NowRfc3339(), false);
        }
    }
    std::optional<long> pid() const { return announcement_.pid(); }
    const std::string& tail() const { return tail_; }

  private:
    void Emit(int stream, std::string text, bool final) {
        std::string& held = held_[stream - 1];
        if (!held.empty()) text.insert(0, std::exchange(held, {}));
        if (text.empty()) return;
        const std::size_t complete = core::Utf8CompleteLength(text);
        held = text.substr(complete);
        text.resize(complete);
        if (stream == 1 && keep_tail_) {
            tail_ += text;
            if (tail_.size() > kTailBytes) tail_.erase(0, tail_.size() - kTailBytes);
        }
        if (!text.empty()) run_.AddOutput(server_id_, stream, std::move(text), core::NowRfc3339(), !final, deadline_);
    }

    TaskRun& run_;
    std::string server_id_;
    bool keep_tail_;
    std::chrono::steady_clock::time_point deadline_;
    std::atomic<std::uint64_t>& received_bytes_;
    PidAnnouncement announcement_;
    std::string held_[2];
    std::string tail_;
};

void Changed(RunState& state, std::size_t index) {
    const TargetView& target = state.task.targets[index];
    state.dirty.push_back(target);
    state.run->ChangeTarget(index, target);
}

/// A target reached its final state: stored, shown to watchers and counted.
void Ended(TaskService::Impl& impl, RunState& state, std::size_t index) {
    TargetView& target = state.task.targets[index];
    target.finished_at = core::NowRfc3339();
    impl.counters.targets.Add(Name(target.state));
    Changed(state, index);
}

TargetState EndState(const TaskRun& run) {
    return run.interrupt.load() ? TargetState::interrupted : TargetState::cancelled;
}
std::string StopReason(const TaskRun& run) {
    return run.interrupt.load() ? "the server stopped while this target ran" : "stopped on request";
}

asio::awaitable<void> RunTarget(TaskService::Impl& impl, RunState& state, std::size_t index) {
    TargetView& target = state.task.targets[index];
    if (state.run->cancel->load()) {
        target.state = EndState(*state.run);
        target.error = "the task was stopped before this target started";
        Ended(impl, state, index);
        co_return;
    }
    OutputSink sink(*state.run, target.server_id, ReportsResult(state.task.kind),
                    std::chrono::steady_clock::now() + std::chrono::seconds(state.task.timeout_s),
                    impl.counters.output_bytes);
    ssh::ExecOptions options;
    options.timeout = std::chrono::seconds(state.task.timeout_s);
    options.cancel = state.run->cancel;
    options.collect = false;
    options.on_chunk = [&sink](int stream, std::string_view data) { sink.Add(stream, data); };
    // Running means the command started on the server, not that its connection is being made: whoever sees
    // `running` may look for the remote process. One thread runs the run's executor, in order, so this post
    // lands before Exec's own completion resumes this coroutine.
    const auto executor = co_await asio::this_coro::executor;
    options.on_started = [executor, &state, index] {
        asio::post(executor, [&state, index] {
            TargetView& started = state.task.targets[index];
            started.state = TargetState::running;
            started.started_at = core::NowRfc3339();
            Changed(state, index);
        });
    };
    ssh::ExecResult result;
    std::optional<std::string> failure;
    try {
        result = co_await impl.fleet.Run(target.server_id, WrapKillable(state.command), std::move(options));
    } catch (const core::Error& e) {  // SshError included: what() is safe to show
        failure = e.what();
    } catch (const std::exception& e) {
        core::LogError("task.target_error", {{"task_id", state.task.id}, {"error", e.what()}});
        failure = "internal error";
    }
    sink.Finish();

    if (failure && state.run->cancel->load()) {
        // Stopped while it connected: the stop is what ended it (the connection never got to run anything).
        target.state = EndState(*state.run);
        target.error = StopReason(*state.run);
    } else if (failure) {
        target.state = TargetState::failed;
        target.error = *failure;
    } else if (result.cancelled || result.timed_out) {
        target.state = result.cancelled ? EndState(*state.run) : TargetState::timed_out;
        target.error =
            result.timed_out ? "no exit after " + std::to_string(state.task.timeout_s) + " s" : StopReason(*state.run);
        if (sink.pid()) {
            // Closing the channel does not stop a command without a terminal: stop its process group.
            ssh::ExecOptions kill;
            kill.timeout = std::chrono::seconds(15);
            try {
                co_await impl.fleet.Run(target.server_id, KillGroupCommand(*sink.pid()), std::move(kill));
            } catch (const std::exception& e) {
                core::LogWarn("task.kill_failed", {{"task_id", state.task.id}, {"error", e.what()}});
            }
        }
    } else {
        if (result.exit_status >= 0) target.exit_code = result.exit_status;
        if (ReportsResult(state.task.kind)) target.result = ParseKeyResult(sink.tail());
        if (result.exit_status != 0) {
            target.state = TargetState::failed;
            target.error = result.exit_status < 0 ? "the command was killed by a signal"
                                                  : "exit status " + std::to_string(result.exit_status);
        } else if (ReportsResult(state.task.kind) && !target.result) {
            target.state = TargetState::failed;
            target.error = "the key edit did not report its result";
        } else {
            target.state = TargetState::succeeded;
        }
    }
    Ended(impl, state, index);
}

asio::awaitable<void> Worker(TaskService::Impl& impl, RunState& state) {
    while (state.next < state.task.targets.size()) {
        const std::size_t index = state.next++;
        co_await RunTarget(impl, state, index);
        ++state.task.done;
        state.task_dirty = true;
        state.tick->cancel();  // let the writer store the new state soon
    }
}

/// Writes what changed since the last call in one transaction. Returns whether output is left over.
asio::awaitable<bool> Store(TaskService::Impl& impl, RunState& state) {
    auto targets = std::exchange(state.dirty, {});
    const bool task_dirty = std::exchange(state.task_dirty, false);
    // With target states to write, all their output goes first: a stored final state implies stored output.
    auto chunks = state.run->PeekUnstored(targets.empty() ? kBatchBytes : SIZE_MAX);
    if (targets.empty() && chunks.empty() && !task_dirty) co_return false;
    TaskView task_row = state.task;
    task_row.targets.clear();
    const std::string id = state.task.id;
    bool cancel_requested = false;
    std::exception_ptr failure;
    try {
        co_await impl.db.Write([&](store::Connection& c) {
            sql::InsertChunks(c, id, chunks);
            for (const auto& target : targets) sql::UpdateTarget(c, id, target);
            if (task_dirty) sql::UpdateTask(c, task_row);
            // A cancel asked through another instance arrives here (or in PollCancel when nothing is written).
            cancel_requested = sql::CancelRequested(c, id);
        });
    } catch (const std::exception&) {
        failure = std::current_exception();
    }
    if (failure) {
        // Nothing was written: all of it is written next time, older target states first.
        state.dirty.insert(state.dirty.begin(), targets.begin(), targets.end());
        state.task_dirty = state.task_dirty || task_dirty;
        std::rethrow_exception(failure);
    }
    state.cancel_checked = std::chrono::steady_clock::now();
    if (!chunks.empty()) state.run->MarkStored(chunks.back().seq);
    if (cancel_requested) state.run->cancel->store(true);
    bool more = false;
    {
        std::lock_guard lock(state.run->mutex);
        more = state.run->unstored_bytes > 0;
    }
    co_return more;
}

/// Store, but a failed write (the database busy or gone for a moment) is tried again later: the run goes
/// on, and its output waits in memory (producers stop while too much of it is unstored). The first failure
/// and the recovery are logged. false when the write failed; `more` as Store's result.
asio::awaitable<bool> TryStore(TaskService::Impl& impl, RunState& state, bool& more) {
    try {
        more = co_await Store(impl, state);
        if (std::exchange(state.store_failing, false))
            core::LogInfo("task.store_recovered", {{"task_id", state.task.id}});
        co_return true;
    } catch (const std::exception& e) {
        if (!std::exchange(state.store_failing, true))
            core::LogWarn("task.store_failed", {{"task_id", state.task.id}, {"error", e.what()}});
    }
    co_return false;
}

/// A cancel asked through another instance is only in the database. A batch write reads it on the way;
/// a run that writes nothing (a quiet command) or whose writes fail reads it here, every kCancelPollInterval.
asio::awaitable<void> PollCancel(TaskService::Impl& impl, RunState& state) {
    const auto now = std::chrono::steady_clock::now();
    if (state.run->cancel->load() || now - state.cancel_checked < kCancelPollInterval) co_return;
    state.cancel_checked = now;
    const std::string id = state.task.id;
    try {
        const bool requested =
            co_await impl.db.Read([&id](store::Connection& c) { return sql::CancelRequested(c, id); });
        if (requested) state.run->cancel->store(true);
    } catch (const std::exception&) {
        // The database is away: TryStore already reports that, and the next tick asks again.
    }
}

TaskState FinalState(const RunState& state) {
    if (state.run->interrupt.load()) return TaskState::interrupted;
    const auto succeeded = [](const TargetView& t) { return t.state == TargetState::succeeded; };
    const bool all_ok = std::all_of(state.task.targets.begin(), state.task.targets.end(), succeeded);
    if (state.run->cancel->load() && !all_ok) return TaskState::cancelled;
    return all_ok ? TaskState::succeeded : TaskState::failed;
}

}  // namespace

asio::awaitable<void> TaskService::Impl::Run(std::shared_ptr<TaskRun> run, TaskView task, std::string command,
                                             FinishHook hook) {
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer tick(executor);
    RunState state{std::move(task), std::move(command), run};
    state.tick = &tick;
    state.task.state = TaskState::running;
    state.task.started_at = core::NowRfc3339();
    state.workers = std::min<std::size_t>(static_cast<std::size_t>(state.task.concurrency), state.task.targets.size());
    for (std::size_t w = 0; w < state.workers; ++w) {
        asio::co_spawn(executor, Worker(*this, state), [&state, &tick](std::exception_ptr error) {
            if (error) core::LogError("task.worker_failed", {{"task_id", state.task.id}, {"error", core::What(error)}});
            if (--state.workers == 0) tick.cancel();
        });
    }
    // The workers use `state` and `tick`: this loop must not end before they did, whatever the database does.
    while (state.workers > 0) {
        tick.expires_after(kWriteInterval);
        boost::system::error_code ignored;
        co_await tick.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        bool more = false;
        co_await TryStore(*this, state, more);
        co_await PollCancel(*this, state);
    }
    int failures = 0;
    for (int i = 0; i < 1000 && failures < kFinalStoreAttempts; ++i) {
        bool more = false;
        const bool stored = co_await TryStore(*this, state, more);
        if (stored && !more) break;
        if (stored) continue;
        ++failures;
        tick.expires_after(kRetryInterval);
        boost::system::error_code ignored;
        co_await tick.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
    state.task.state = FinalState(state);
    state.task.finished_at = core::NowRfc3339();
    state.task_dirty = true;
    co_await Store(*this, state);
    run->End();
    counters.tasks.Add(Name(state.task.state));
    core::LogInfo("task.finished", {{"task_id", state.task.id},
                                    {"kind", state.task.kind},
                                    {"state", Name(state.task.state)},
                                    {"targets", state.task.total}});
    co_await CallHook(hook, state.task);
    // Only now: Stop waits for the hook too (an app's status follows its task before shutdown).
    std::lock_guard lock(runs_mutex);
    runs.erase(state.task.id);
}

}  // namespace gatehouse::tasks
