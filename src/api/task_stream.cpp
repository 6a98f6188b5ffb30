#include "api/task_stream.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <map>
#include <optional>

#include "api/json_fields.hpp"
#include "api/task_json.hpp"
#include "core/errc.hpp"
#include "core/json_text.hpp"
#include "http/problem.hpp"
#include "http/websocket.hpp"

namespace gatehouse::api {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

// Replayed in small pages: twenty watchers catching up must not hold the whole output in memory.
constexpr std::size_t kReplayPage = 64;
constexpr std::size_t kReplayBytes = std::size_t{1} << 20;
// How often a task that another instance runs is read from the store.
constexpr auto kFollowInterval = std::chrono::milliseconds(250);
// Consecutive chunks of one target's stream go out as one message of up to this size: a command printing line
// by line arrives in thousands of small chunks, and every message is a task on a browser's main thread.
constexpr std::size_t kMessageBytes = 64 * 1024;
// A live watcher gets at most one round of messages this often; what arrives meanwhile waits and is joined. A
// browser draws a frame every 16 ms: a message per chunk would be hundreds of tasks between two frames.
constexpr auto kRoundInterval = std::chrono::milliseconds(20);

std::string Message(std::string_view type, json::object body) {
    body["type"] = type;
    return core::JsonText(body);
}

std::string OutputMessage(const tasks::Chunk& chunk) { return Message("output", ChunkJson(chunk)); }

// Built outside the coroutines: GCC 12 rejects brace-initialised JSON objects inside them.
std::string TaskMessage(std::string_view type, const tasks::TaskView& task) {
    json::object body;
    body["task"] = TaskJson(task);
    return Message(type, std::move(body));
}

/// Everything one watcher's connection needs, kept alive by the handler's coroutine.
struct Session {
    tasks::TaskService& tasks;
    std::string id;
    std::int64_t last_seq = 0;             // the newest output seq this watcher was sent
    std::optional<tasks::Chunk> pending;   // output after last_seq, joined and not sent yet
    std::shared_ptr<tasks::Watcher> live;  // live events of a task running here (null otherwise)
    std::map<std::string, int> shown;      // server id -> the rank of the state this watcher was shown
};

// States only move forward (queued, running, then an end): what the watcher saw is never taken back, and
// the same change arriving from the store and from the live queue is sent once.
int Rank(tasks::TargetState state) {
    if (state == tasks::TargetState::queued) return 0;
    if (state == tasks::TargetState::running) return 1;
    return 2;
}

void Shown(Session& s, const tasks::TaskView& task) {
    for (const auto& target : task.targets) s.shown[target.server_id] = Rank(target.state);
}

/// The newest output seq this watcher was sent or has waiting: what it reads from the store comes after it.
std::int64_t QueuedSeq(const Session& s) { return s.pending ? s.pending->seq : s.last_seq; }

/// Sends the joined output that waits. false when the client went away.
asio::awaitable<bool> Flush(Session& s, http::WebSocket& ws) {
    if (!s.pending) co_return true;
    const tasks::Chunk chunk = std::move(*s.pending);
    s.pending.reset();
    const bool sent = co_await ws.Send(OutputMessage(chunk));
    s.last_seq = chunk.seq;
    co_return sent;
}

/// Adds `chunk` to the output to send: joined to the waiting output when it continues the same target's stream
/// (the message keeps the first piece's time and takes the last one's seq), else after sending that.
asio::awaitable<bool> Queue(Session& s, http::WebSocket& ws, const tasks::Chunk& chunk) {
    auto& pending = s.pending;
    if (chunk.seq <= QueuedSeq(s)) co_return true;  // already sent from the store
    const bool joins = pending && pending->server_id == chunk.server_id && pending->stream == chunk.stream &&
                       pending->data.size() + chunk.data.size() <= kMessageBytes;
    if (joins) {
        pending->data += chunk.data;
        pending->seq = chunk.seq;
        co_return true;
    }
    const bool sent = co_await Flush(s, ws);
    pending = chunk;
    co_return sent;
}

asio::awaitable<bool> SendTarget(Session& s, http::WebSocket& ws, const tasks::TargetView& target) {
    // Output before the state change that follows it.
    const bool flushed = co_await Flush(s, ws);
    if (!flushed) co_return false;
    auto& shown = s.shown[target.server_id];
    if (Rank(target.state) <= shown) co_return true;
    shown = Rank(target.state);
    co_return co_await ws.Send(Message("target", TargetJson(target)));
}

asio::awaitable<void> CloseTooSlow(Session& s, http::WebSocket& ws) {
    s.pending.reset();  // resumed from the last seq sent
    co_await ws.Close(1008, "too slow: resume from since_seq=" + std::to_string(s.last_seq));
}

/// The client's side of the connection, as the Receive loop sees it: `wake` ends a wait of the handler's
/// as soon as the client leaves. Shared by the handler and its Receive loop, which may outlive it.
struct Presence {
    explicit Presence(asio::any_io_executor executor) : wake(std::move(executor)) {}
    asio::steady_timer wake;
    bool left = false;
};

/// Sends stored output after `last_seq`, page by page. false when the client went away.
asio::awaitable<bool> Replay(Session& s, http::WebSocket& ws) {
    for (;;) {
        auto chunks = co_await s.tasks.Output(s.id, std::nullopt, QueuedSeq(s), kReplayPage, kReplayBytes);
        for (const auto& chunk : chunks) {
            const bool sent = co_await Queue(s, ws, chunk);
            if (!sent) co_return false;
        }
        if (chunks.empty()) {
            const bool flushed = co_await Flush(s, ws);
            co_return flushed;
        }
        // Live events queue up meanwhile: a watcher whose queue overflowed while it reads the store
        // is dropped now, not after it has read everything stored (which grows as fast as the task prints).
        if (s.live && s.live->overflowed()) {
            co_await CloseTooSlow(s, ws);
            co_return false;
        }
    }
}

asio::awaitable<void> Finish(Session& s, http::WebSocket& ws) {
    // Everything is stored once the task finished: send what the live path may not have.
    const bool replayed = co_await Replay(s, ws);
    if (!replayed) co_return;
    const auto task = co_await s.tasks.Get(s.id);
    const bool sent = co_await ws.Send(TaskMessage("summary", task));
    if (sent) co_await ws.Close(1000, "task " + std::string(tasks::Name(task.state)));
}

/// A task that runs in another instance (instances sharing PostgreSQL): its output and target states
/// are read from the store every kFollowInterval until it finishes. `task` is what the greeting showed.
asio::awaitable<void> Follow(Session& s, http::WebSocket& ws, Presence& presence) {
    for (;;) {
        // The snapshot first, then the output: a target's stored final state implies its stored output,
        // so a target message never comes before output of its own that was already stored.
        const auto task = co_await s.tasks.Get(s.id);
        const bool replayed = co_await Replay(s, ws);
        if (!replayed) co_return;
        for (const auto& target : task.targets) {
            const bool sent = co_await SendTarget(s, ws, target);
            if (!sent) co_return;
        }
        if (tasks::IsFinal(task.state)) break;
        presence.wake.expires_after(kFollowInterval);
        boost::system::error_code ignored;
        co_await presence.wake.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        if (presence.left || ws.closed()) co_return;
    }
    co_await Finish(s, ws);
}

asio::awaitable<void> Watch(Session s, http::WebSocket& ws) {
    auto executor = co_await asio::this_coro::executor;
    // Subscribe before reading the store, so nothing published in between is missed.
    auto subscription = s.tasks.Watch(s.id, executor);
    s.live = subscription.watcher;
    auto presence = std::make_shared<Presence>(executor);
    // A Receive stays pending for the whole connection: that is what notices the client leaving (and
    // answers its pings); then the watcher wakes and the loop below ends.
    asio::co_spawn(
        executor,
        [&ws, watcher = subscription.watcher, presence]() -> asio::awaitable<void> {
            for (;;) {
                auto message = co_await ws.Receive();
                if (!message) break;
            }
            presence->left = true;
            presence->wake.cancel();
            if (watcher) watcher->Stop();
        },
        asio::detached);
    const auto task = co_await s.tasks.Get(s.id);
    const bool greeted = co_await ws.Send(TaskMessage("task", task));
    if (!greeted) co_return;
    Shown(s, task);
    const bool replayed = co_await Replay(s, ws);
    if (!replayed) co_return;
    for (const auto& chunk : subscription.unstored) {
        const bool sent = co_await Queue(s, ws, chunk);
        if (!sent) co_return;
    }
    const bool flushed = co_await Flush(s, ws);
    if (!flushed) co_return;
    // States the run changed before this watcher subscribed but had not stored when the greeting was read.
    for (const auto& target : subscription.targets) {
        const bool sent = co_await SendTarget(s, ws, target);
        if (!sent) co_return;
    }
    auto watcher = subscription.watcher;
    if (!watcher) {
        // Not running here: finished, or run by another instance.
        co_await Follow(s, ws, *presence);
        co_return;
    }
    for (;;) {
        auto events = co_await watcher->Next();
        if (watcher->overflowed()) {
            co_await CloseTooSlow(s, ws);
            co_return;
        }
        if (events.empty() || ws.closed()) co_return;  // the client left
        for (const auto& event : events) {
            bool sent = true;
            if (event->type == tasks::LiveEvent::Type::output) {
                sent = co_await Queue(s, ws, event->chunk);
            } else if (event->type == tasks::LiveEvent::Type::target) {
                sent = co_await SendTarget(s, ws, event->target);
            } else {
                co_await Finish(s, ws);
                co_return;
            }
            if (!sent) co_return;
        }
        const bool flushed = co_await Flush(s, ws);
        if (!flushed) co_return;
        presence->wake.expires_after(kRoundInterval);
        boost::system::error_code ignored;
        co_await presence->wake.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        if (presence->left || ws.closed()) co_return;
    }
}

}  // namespace

asio::awaitable<http::Response> TaskStreamHandler::Stream(http::RequestContext& context) const {
    Session session{tasks, std::string(context.Param("id"))};
    session.last_seq = IntParam(context, "since_seq", 0, INT64_MAX).value_or(0);
    co_await tasks.Get(session.id);  // 404 before the upgrade
    context.upgrade = [session](http::WebSocket& ws) { return Watch(session, ws); };
    co_return http::Problem(http::Status::upgrade_required, "this route is a WebSocket: send an upgrade request");
}

}  // namespace gatehouse::api
