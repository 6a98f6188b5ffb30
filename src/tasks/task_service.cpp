#include "tasks/task_service.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/errc.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "core/time.hpp"
#include "tasks/remote_commands.hpp"
#include "tasks/task_impl.hpp"
#include "tasks/task_sql.hpp"

namespace gatehouse::tasks {
namespace {

constexpr std::size_t kMaxCommandBytes = 64 * 1024;
constexpr std::size_t kMaxTargets = 10000;

core::Error Invalid(std::string detail) { return core::Error(core::errc::invalid_argument, std::move(detail)); }

void Validate(const TaskRequest& r) {
    if (std::find(std::begin(kKinds), std::end(kKinds), r.kind) == std::end(kKinds))
        throw Invalid("kind must be one of exec, deploy_key, revoke_key, compose_up, compose_down");
    if (r.command.empty()) throw Invalid("command must not be empty");
    if (r.command.size() > kMaxCommandBytes) throw Invalid("command is longer than 65536 bytes");
    // A shell stops reading at a NUL: what ran would not be the command stored.
    if (r.command.find('\0') != std::string::npos) throw Invalid("command must not contain NUL characters");
    if (r.timeout_s < 1 || r.timeout_s > 86400) throw Invalid("timeout_s must be between 1 and 86400");
    if (r.concurrency < 1 || r.concurrency > 1000) throw Invalid("concurrency must be between 1 and 1000");
    if (r.server_ids.empty() && !r.has_selector) throw Invalid("targets: name at least one server or a selector");
    if (r.server_ids.size() > kMaxTargets) throw Invalid("targets: at most 10000 servers");
}

}  // namespace

namespace {

template <class E, std::size_t N>
std::optional<E> ParseName(const std::string_view (&names)[N], std::string_view name) noexcept {
    for (std::size_t i = 0; i < N; ++i)
        if (names[i] == name) return static_cast<E>(i);
    return std::nullopt;
}

}  // namespace

std::string_view Name(TaskState state) noexcept { return kTaskStates[static_cast<std::size_t>(state)]; }
std::string_view Name(TargetState state) noexcept { return kTargetStates[static_cast<std::size_t>(state)]; }
std::optional<TaskState> ParseTaskState(std::string_view name) noexcept {
    return ParseName<TaskState>(kTaskStates, name);
}
std::optional<TargetState> ParseTargetState(std::string_view name) noexcept {
    return ParseName<TargetState>(kTargetStates, name);
}
bool IsFinal(TaskState state) noexcept { return state != TaskState::queued && state != TaskState::running; }
bool IsFinal(TargetState state) noexcept { return state != TargetState::queued && state != TargetState::running; }

TaskService::TaskService(store::Database& database, fleet::FleetService& fleet, audit::AuditLog& audit,
                         boost::asio::any_io_executor executor, TaskOptions options)
    : impl_(std::make_shared<Impl>(database, fleet, audit, std::move(executor), std::move(options))) {}

TaskService::~TaskService() = default;

std::shared_ptr<TaskRun> TaskService::Impl::FindRun(const std::string& id) {
    std::lock_guard lock(runs_mutex);
    const auto it = runs.find(id);
    return it == runs.end() ? nullptr : it->second;
}

boost::asio::awaitable<TaskView> TaskService::Submit(TaskRequest request, FinishHook on_finish) {
    Validate(request);
    auto servers = co_await impl_->fleet.SelectServers(request.server_ids, request.selector_tags, request.has_selector);
    if (servers.empty()) throw Invalid("no server matches the targets and selector");
    if (servers.size() > kMaxTargets) throw Invalid("targets: at most 10000 servers");

    TaskView task;
    task.id = core::NewUuidV7();
    task.kind = request.kind;
    task.params = std::move(request.params);
    if (!request.creator.user_id.empty()) task.created_by = request.creator.user_id;
    task.created_by_name = request.creator.username;
    task.created_at = core::NowRfc3339();
    task.timeout_s = request.timeout_s;
    task.concurrency = request.concurrency;
    task.total = static_cast<int>(servers.size());
    for (const auto& server : servers) {
        TargetView target;
        target.server_id = server.id;
        target.server_name = server.name;
        task.targets.push_back(std::move(target));
    }
    const auto& instance = impl_->options.instance_id;
    co_await impl_->db.Write([&](store::Connection& c) { sql::InsertTask(c, task, instance, core::EpochSeconds()); });

    auto run = std::make_shared<TaskRun>();
    run->id = task.id;
    run->targets = task.targets;
    {
        std::lock_guard lock(impl_->runs_mutex);
        impl_->runs[task.id] = run;
    }
    auto impl = impl_;
    const std::string id = task.id;
    // The run and, should it fail, its abandonment both get the hook: copied before either call is made
    // (the order in which co_spawn's arguments are evaluated is unspecified).
    FinishHook hook = on_finish;
    auto running = impl->Run(run, task, std::move(request.command), std::move(on_finish));
    boost::asio::co_spawn(impl->executor, std::move(running),
                          [impl, run, hook = std::move(hook)](std::exception_ptr error) {
                              if (!error) return;
                              core::LogError("task.run_failed", {{"task_id", run->id}, {"error", core::What(error)}});
                              boost::asio::co_spawn(impl->executor, impl->Abandon(run, hook), boost::asio::detached);
                          });
    co_return task;
}

boost::asio::awaitable<TaskView> TaskService::EditKey(std::string key_id, bool deploy, TaskRequest request,
                                                      bool force) {
    const auto key = co_await impl_->fleet.GetKey(key_id);
    if (!deploy && !force) {
        const auto servers =
            co_await impl_->fleet.SelectServers(request.server_ids, request.selector_tags, request.has_selector);
        std::vector<std::string> locked_out;
        for (const auto& server : servers)
            if (server.auth_method == "key" && server.ssh_key_id == key.id)
                locked_out.push_back("'" + server.name + "'");
        if (!locked_out.empty())
            throw core::Error(core::errc::conflict,
                              fmt::format("server(s) {} log in with this key: revoking it there would lock "
                                          "gatehouse out; switch them to another key first, or pass force: true",
                                          fmt::join(locked_out, ", ")));
    }
    request.kind = deploy ? "deploy_key" : "revoke_key";
    request.command = KeyEditCommand(deploy, key.public_key);
    request.params = {{"key_id", key.id}, {"fingerprint", key.fingerprint}};
    co_return co_await Submit(std::move(request));
}

boost::asio::awaitable<TaskView> TaskService::Get(std::string id) {
    auto task = co_await impl_->db.Read([&](store::Connection& c) { return sql::FindTask(c, id); });
    if (!task) throw core::Error(core::errc::not_found, "no such task");
    co_return std::move(*task);
}

boost::asio::awaitable<store::Counts> TaskService::CountByState() {
    co_return co_await impl_->db.Read([](store::Connection& c) { return store::CountBy(c, "tasks", "state"); });
}

const TaskCounters& TaskService::counters() const noexcept { return impl_->counters; }

boost::asio::awaitable<Page<TaskView>> TaskService::List(TaskFilter filter, std::size_t limit, std::string cursor) {
    const auto before = store::CheckCursor(cursor);
    auto rows =
        co_await impl_->db.Read([&](store::Connection& c) { return sql::ListTasks(c, filter, before, limit + 1); });
    co_return store::Paged(std::move(rows), limit);
}

boost::asio::awaitable<std::vector<Chunk>> TaskService::Output(std::string id, std::optional<std::string> server_id,
                                                               std::int64_t after_seq, std::size_t limit,
                                                               std::size_t max_bytes) {
    co_return co_await impl_->db.Read([&](store::Connection& c) {
        const auto task = sql::FindTask(c, id);
        if (!task) throw core::Error(core::errc::not_found, "no such task");
        if (server_id && std::none_of(task->targets.begin(), task->targets.end(),
                                      [&](const TargetView& t) { return t.server_id == *server_id; }))
            throw core::Error(core::errc::not_found, "the task has no such target");
        // Small pages, so a page of large chunks never holds much more than max_bytes in memory.
        constexpr std::size_t kPage = 64;
        std::vector<Chunk> chunks;
        std::size_t bytes = 0;
        while (chunks.size() < limit && (chunks.empty() || bytes < max_bytes)) {
            const auto from = chunks.empty() ? after_seq : chunks.back().seq;
            const std::size_t wanted = std::min(kPage, limit - chunks.size());
            auto page = sql::ReadChunks(c, id, server_id, from, wanted);
            const std::size_t got = page.size();
            for (auto& chunk : page) {
                bytes += chunk.data.size();
                chunks.push_back(std::move(chunk));
            }
            if (got < wanted) break;
        }
        return chunks;
    });
}

boost::asio::awaitable<TaskView> TaskService::Cancel(std::string id) {
    auto task = co_await Get(id);
    if (IsFinal(task.state)) throw core::Error(core::errc::conflict, "the task has already finished");
    co_await impl_->db.Write([&](store::Connection& c) { sql::RequestCancel(c, id); });
    if (auto run = impl_->FindRun(id)) run->cancel->store(true);
    task.cancel_requested = true;
    co_return task;
}

boost::asio::awaitable<void> CallHook(const FinishHook& hook, const TaskView& task) {
    if (!hook) co_return;
    try {
        co_await hook(task);
    } catch (const std::exception& e) {
        core::LogError("task.hook_failed", {{"task_id", task.id}, {"error", e.what()}});
    }
}

boost::asio::awaitable<void> TaskService::Impl::Abandon(std::shared_ptr<TaskRun> run, FinishHook hook) {
    const std::string id = run->id;
    std::optional<TaskView> task;
    try {
        task = co_await db.Write([&](store::Connection& c) {
            sql::FailUnfinished(c, id, core::NowRfc3339(), "internal error: the task could not be recorded");
            return sql::FindTask(c, id);
        });
    } catch (const std::exception& e) {
        // Left running: the next start marks it interrupted.
        core::LogError("task.abandon_failed", {{"task_id", id}, {"error", e.what()}});
    }
    run->End();
    counters.tasks.Add(task ? Name(task->state) : Name(TaskState::failed));
    if (task) co_await CallHook(hook, *task);
    std::lock_guard lock(runs_mutex);
    runs.erase(id);
}

TaskRun::Subscription TaskService::Watch(const std::string& id, boost::asio::any_io_executor executor) {
    if (auto run = impl_->FindRun(id)) return run->Subscribe(std::move(executor), impl_->options.watcher_queue_bytes);
    return {};
}

std::size_t TaskService::RecoverInterrupted() {
    std::vector<std::string> ids;
    const auto stale = core::EpochSeconds() - impl_->options.stale_after.count();
    impl_->db.WithTransaction([&](store::Connection& c) {
        ids = sql::MarkInterrupted(c, impl_->options.instance_id, stale, core::NowRfc3339());
    });
    for (const auto& id : ids) core::LogWarn("task.interrupted", {{"task_id", id}});
    return ids.size();
}

boost::asio::awaitable<void> TaskService::Maintain() {
    const auto now = core::EpochSeconds();
    const auto stale = now - impl_->options.stale_after.count();
    const auto& instance = impl_->options.instance_id;
    // Tasks of other instances only: this one's are alive as long as it beats.
    auto ids = co_await impl_->db.Write([&](store::Connection& c) {
        sql::Heartbeat(c, instance, now);
        return sql::MarkInterrupted(c, "", stale, core::NowRfc3339());
    });
    for (const auto& id : ids)
        core::LogWarn("task.interrupted", {{"task_id", id}, {"reason", "owner stopped beating"}});
}

boost::asio::awaitable<void> TaskService::Stop(std::chrono::milliseconds grace) {
    {
        std::lock_guard lock(impl_->runs_mutex);
        for (auto& [id, run] : impl_->runs) {
            run->interrupt.store(true);
            run->cancel->store(true);
            run->stored.notify_all();
        }
    }
    boost::asio::steady_timer wait(co_await boost::asio::this_coro::executor);
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (std::chrono::steady_clock::now() < deadline) {
        {
            std::lock_guard lock(impl_->runs_mutex);
            if (impl_->runs.empty()) co_return;
        }
        wait.expires_after(std::chrono::milliseconds(50));
        co_await wait.async_wait(boost::asio::use_awaitable);
    }
}

}  // namespace gatehouse::tasks
