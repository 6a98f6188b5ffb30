#pragma once
// Shared by the app service's .cpp files only.

#include "apps/app_service.hpp"

namespace gatehouse::apps {

struct AppService::Impl {
    store::Database& db;
    tasks::TaskService& tasks;
    audit::AuditLog& audit;
    AppOptions options;
};

std::string Now();
core::Error NotFound(std::string_view what);

}  // namespace gatehouse::apps
