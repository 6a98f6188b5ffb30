#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "store/database.hpp"

namespace gatehouse::audit {

/// One append-only record of something that happened. Never holds a secret: callers put ids and
/// names in `details`, never passwords, tokens, hashes or keys.
struct Event {
    std::string id;                        // UUIDv7; set by Record when empty
    core::Clock::time_point time{};        // set by Record when zero
    std::string actor_kind = "anonymous";  // user | api_token | anonymous | system
    std::string actor_id;                  // user id or API token id
    std::string actor_name;                // username (or token name)
    std::string source_ip;
    std::string user_agent;
    std::string action;  // dotted verb: auth.login, user.create, http.denied, app.auto_stop ...
    std::string resource_type;
    std::string resource_id;
    std::string outcome = "success";  // success | failure | denied
    std::optional<int> status;        // HTTP status when the event comes from a request
    std::string request_id;
    boost::json::object details;
};

struct Filter {
    std::optional<std::string> actor;   // matches actor_id or actor_name
    std::optional<std::string> action;  // exact, or a prefix when it ends with '*' ("auth.*")
    std::optional<std::string> resource_type;
    std::optional<std::string> resource_id;
    std::optional<std::string> outcome;
    std::optional<core::Clock::time_point> since;  // inclusive
    std::optional<core::Clock::time_point> until;  // exclusive
    std::size_t limit = 50;
    std::optional<std::string> cursor;  // opaque, from Page::next_cursor
};

struct Page {
    std::vector<Event> items;  // newest first
    std::optional<std::string> next_cursor;
};

struct StatsRow {
    std::string day;  // YYYY-MM-DD (UTC)
    std::string action;
    std::string outcome;
    std::int64_t count = 0;
};

/// The audit trail. Record() never blocks the caller: events are queued and written in order, in
/// batches, on the database's write pool. The queue is bounded: while `max_queued` events wait (the database
/// cannot keep up, or is down), further events are dropped, counted (`dropped()`) and logged, never queued
/// without limit.
class AuditLog {
  public:
    explicit AuditLog(store::Database& database, std::size_t max_queued = 100000);
    ~AuditLog();
    AuditLog(const AuditLog&) = delete;
    AuditLog& operator=(const AuditLog&) = delete;

    /// Queues `event`; returns at once. Thread-safe.
    void Record(Event event);

    /// Waits until every event recorded before this call is in the database. Blocking; not on an I/O thread.
    void Flush();

    /// Events dropped because the queue was full, since start.
    std::uint64_t dropped() const;
    /// Events waiting to be written now.
    std::size_t queued() const;

    /// Errors: core::Error(invalid_argument) for a malformed cursor. Call from a coroutine.
    boost::asio::awaitable<Page> Query(Filter filter);
    boost::asio::awaitable<std::vector<StatsRow>> Stats(std::optional<core::Clock::time_point> since,
                                                        std::optional<core::Clock::time_point> until);
    /// Deletes events older than `cutoff`; returns how many.
    boost::asio::awaitable<std::int64_t> Purge(core::Clock::time_point cutoff);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

boost::json::object ToJson(const Event& event);

}  // namespace gatehouse::audit
