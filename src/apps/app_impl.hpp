#pragma once
// Shared by the app service's .cpp files only.

#include "apps/app_service.hpp"
#include "core/time.hpp"

namespace gatehouse::apps {

struct AppService::Impl {
    store::Database& db;
    tasks::TaskService& tasks;
    audit::AuditLog& audit;
    AppOptions options;
};

core::Error NotFound(std::string_view what);

/// When a run that started at `started` stops by itself: RFC 3339 and epoch seconds (rounded up), or
/// neither for 0 minutes (never).
struct Deadline {
    std::optional<std::string> at;
    std::optional<std::int64_t> epoch;
};
Deadline DeadlineOf(core::Clock::time_point started, int minutes);

}  // namespace gatehouse::apps
