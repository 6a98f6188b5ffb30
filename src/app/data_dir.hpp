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

/// `serve.lock` in the data directory, locked for as long as this object lives: shared by every `gatehouse serve`
/// on the directory, exclusive for `gatehouse vault rotate`, which replaces the key that servers hold in memory.
/// Throws std::runtime_error, saying what to do, when the other kind holds it.
class DataDirLock {
  public:
    enum class Mode { serving, rotating };
    DataDirLock(const std::filesystem::path& dir, Mode mode);
    ~DataDirLock();
    DataDirLock(const DataDirLock&) = delete;
    DataDirLock& operator=(const DataDirLock&) = delete;

  private:
    int fd_ = -1;
};

/// Throws std::runtime_error when `listen` (HOST:PORT) cannot be bound, so that `serve` fails before it creates
/// anything. Port 0 always binds.
void RequireListenable(const std::string& listen);

}  // namespace gatehouse::app
