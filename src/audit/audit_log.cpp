#include "audit/audit_log.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <exception>
#include <string>

#include "audit/audit_log_impl.hpp"
#include "audit/event_row.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"

namespace gatehouse::audit {
namespace {

// One transaction per batch keeps a burst cheap; the cap bounds how long one transaction holds
// the (SQLite: only) writer.
constexpr std::size_t kMaxBatch = 500;
// Rows per INSERT statement: fewer round trips on PostgreSQL, well under both parameter limits.
constexpr std::size_t kRowsPerStatement = 50;

bool ValidOutcome(const std::string& outcome) {
    return outcome == "success" || outcome == "failure" || outcome == "denied";
}

std::string InsertSql(std::size_t rows) {
    std::string sql = "INSERT INTO audit_events (" + std::string(detail::kColumns) + ") VALUES ";
    std::string tuple = "(";
    for (std::size_t i = 0; i < detail::kColumnCount; ++i) tuple += i == 0 ? "?" : ", ?";
    tuple += ")";
    for (std::size_t r = 0; r < rows; ++r) {
        if (r > 0) sql += ", ";
        sql += tuple;
    }
    return sql;
}

boost::json::object BatchFields(const std::vector<Event>& batch, const std::exception& error) {
    return {{"events", batch.size()},
            {"first_id", batch.front().id},
            {"last_id", batch.back().id},
            {"error", error.what()}};
}

}  // namespace

void AuditLog::Impl::WriteBatch(const std::vector<Event>& batch) {
    db.WithTransaction([&batch](store::Connection& connection) {
        std::vector<store::Value> params;
        for (std::size_t start = 0; start < batch.size(); start += kRowsPerStatement) {
            const std::size_t rows = std::min(kRowsPerStatement, batch.size() - start);
            params.clear();
            params.reserve(rows * detail::kColumnCount);
            for (std::size_t i = start; i < start + rows; ++i) detail::AppendEventParams(batch[i], params);
            connection.Execute(InsertSql(rows), params);
        }
    });
}

void AuditLog::Impl::WriteWithRetry(std::vector<Event>& batch) {
    // A row the CHECK constraint rejects would take its whole batch down with it.
    std::erase_if(batch, [](const Event& e) {
        const bool bad = !ValidOutcome(e.outcome) || e.action.empty() || e.actor_kind.empty();
        if (bad) core::LogError("audit.invalid_event_dropped", {{"id", e.id}, {"action", e.action}});
        return bad;
    });
    if (batch.empty()) return;
    try {
        WriteBatch(batch);
        return;
    } catch (const std::exception& e) {
        core::LogError("audit.write_failed", BatchFields(batch, e));
    } catch (...) {
        core::LogError("audit.write_failed", {{"events", batch.size()}});
    }
    try {
        WriteBatch(batch);
    } catch (const std::exception& e) {
        core::LogError("audit.events_dropped", BatchFields(batch, e));
    } catch (...) {
        core::LogError("audit.events_dropped", {{"events", batch.size()}});
    }
}

void AuditLog::Impl::Post() {
    boost::asio::post(db.write_pool().executor(), [this] { Drain(); });
}

void AuditLog::Impl::Drain() {
    std::vector<Event> batch;
    {
        std::lock_guard lock(mutex);
        const std::size_t n = std::min(kMaxBatch, queue.size());
        batch.assign(std::make_move_iterator(queue.begin()), std::make_move_iterator(queue.begin() + n));
        queue.erase(queue.begin(), queue.begin() + n);
    }
    const std::size_t taken = batch.size();
    WriteWithRetry(batch);

    std::lock_guard lock(mutex);
    written += taken;
    if (queue.empty()) {
        draining = false;
        // Notified under the lock: once a waiter sees draining == false it may destroy us.
        written_changed.notify_all();
        return;
    }
    written_changed.notify_all();
    // One batch per job, then back of the queue: a long backlog must not starve other writes
    // waiting for the (SQLite: single) writer thread. Still one drainer, so order is kept.
    Post();
}

AuditLog::AuditLog(store::Database& database, std::size_t max_queued)
    : impl_(std::make_unique<Impl>(database, max_queued)) {}

AuditLog::~AuditLog() {
    std::unique_lock lock(impl_->mutex);
    impl_->written_changed.wait(lock, [this] { return !impl_->draining && impl_->queue.empty(); });
}

void AuditLog::Record(Event event) {
    if (event.id.empty()) event.id = core::NewUuidV7();
    if (event.time == core::Clock::time_point{}) event.time = core::Clock::now();
    bool post = false;
    std::uint64_t newly_dropped = 0;
    {
        std::lock_guard lock(impl_->mutex);
        if (impl_->queue.size() >= impl_->max_queued) {
            ++impl_->dropped;
            // Logged at most every 10 s, with the count since the last line: a full queue must not flood the log.
            const auto now = std::chrono::steady_clock::now();
            if (now - impl_->logged_at >= std::chrono::seconds(10)) {
                newly_dropped = impl_->dropped - impl_->dropped_logged;
                impl_->dropped_logged = impl_->dropped;
                impl_->logged_at = now;
            }
        } else {
            impl_->queue.push_back(std::move(event));
            ++impl_->recorded;
            if (!impl_->draining) {
                impl_->draining = true;
                post = true;
            }
        }
    }
    if (newly_dropped > 0)
        core::LogError("audit.queue_full", {{"dropped", newly_dropped}, {"max_queued", impl_->max_queued}});
    if (post) impl_->Post();
}

std::uint64_t AuditLog::dropped() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->dropped;
}

std::size_t AuditLog::queued() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->queue.size();
}

void AuditLog::Flush() {
    std::unique_lock lock(impl_->mutex);
    const std::uint64_t target = impl_->recorded;
    impl_->written_changed.wait(lock, [&] { return impl_->written >= target; });
}

}  // namespace gatehouse::audit
