#pragma once

#include "config/config.hpp"

namespace gatehouse::app {

/// Runs the server until SIGTERM/SIGINT; returns the process exit code. Throws std::runtime_error
/// on start-up failures (bad config, unreachable database, unreadable keys).
int Serve(const config::Config& config);

/// Applies pending migrations and reports them on stdout; returns the process exit code.
int Migrate(const config::Config& config);

}  // namespace gatehouse::app
