#pragma once

#include <memory>

#include "config/config.hpp"
#include "store/database.hpp"

namespace gatehouse::app {

/// Opens the configured backend (the only place that knows which one is built).
std::unique_ptr<store::Database> OpenDatabase(const config::Config& config);

}  // namespace gatehouse::app
