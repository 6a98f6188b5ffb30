#pragma once

#include <filesystem>
#include <string>

namespace gatehouse::app {

/// Creates the data directory with mode 0700 when missing. Throws std::runtime_error.
void EnsureDataDir(const std::filesystem::path& dir);

}  // namespace gatehouse::app
