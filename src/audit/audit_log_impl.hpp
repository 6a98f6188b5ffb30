#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <vector>

#include "audit/audit_log.hpp"

namespace gatehouse::audit {

struct AuditLog::Impl {
    explicit Impl(store::Database& database) : db(database) {}

    /// Schedules Drain on the write pool. Only while `draining` is set, so there is one drainer.
    void Post();
    /// Runs on the write pool: writes one batch, then posts itself again until the queue is empty.
    void Drain();
    /// Never throws: a batch that fails twice is logged and dropped.
    void WriteWithRetry(std::vector<Event>& batch);
    void WriteBatch(const std::vector<Event>& batch);

    store::Database& db;
    std::mutex mutex;
    std::condition_variable written_changed;
    std::vector<Event> queue;
    std::uint64_t recorded = 0;  // sequence number of the last recorded event
    std::uint64_t written = 0;   // every event up to this sequence number is written (or dropped)
    bool draining = false;       // a drain job is posted or running
};

}  // namespace gatehouse::audit
