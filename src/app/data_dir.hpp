#pragma once

#include <filesystem>
#include <string>

#include "config/config.hpp"

namespace gatehouse::app {

/// Creates the data directory with mode 0700 when missing. Throws std::runtime_error.
void EnsureDataDir(const std::filesystem::path& dir);

/// For commands that work on what `gatehouse serve` made (user, vault): the data directory, and its SQLite
/// database when no PostgreSQL URL is configured, must exist. Throws std::runtime_error naming the path and
/// --data-dir; creates nothing.
void RequireServedDataDir(const config::Config& config);

/// Throws std::runtime_error when `listen` (HOST:PORT) cannot be bound, so that `serve` fails before it creates
/// anything. Port 0 always binds.
void RequireListenable(const std::string& listen);

}  // namespace gatehouse::app
