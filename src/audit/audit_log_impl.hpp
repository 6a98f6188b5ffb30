#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

#include "audit/audit_log.hpp"

namespace gatehouse::audit {

struct AuditLog::Impl {
    Impl(store::Database& database, std::size_t max) : db(database), max_queued(max) {}

    /// Schedules Drain on the write pool. Only while `draining` is set, so there is one drainer.
    void Post();
    /// Runs on the write pool: writes one batch, then posts itself again until the queue is empty.
    void Drain();
    /// Never throws: a batch that fails twice is logged and dropped.
    void WriteWithRetry(std::vector<Event>& batch);
    void WriteBatch(const std::vector<Event>& batch);

    store::Database& db;
    const std::size_t max_queued;
    mutable std::mutex mutex;
    std::condition_variable written_changed;
    std::deque<Event> queue;
    std::uint64_t recorded = 0;                       // sequence number of the last recorded event
    std::uint64_t written = 0;                        // every event up to this sequence number is written (or dropped)
    bool draining = false;                            // a drain job is posted or running
    std::uint64_t dropped = 0;                        // events refused because the queue was full
    std::uint64_t dropped_logged = 0;                 // how many of them the log has been told about
    std::chrono::steady_clock::time_point logged_at;  // when it was last told
};

}  // namespace gatehouse::audit
