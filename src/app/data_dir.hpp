#pragma once

#include <filesystem>
#include <string>

namespace gatehouse::app {

/// Creates the data directory with mode 0700 when missing. Throws std::runtime_error.
void EnsureDataDir(const std::filesystem::path& dir);

/// Creates `file` (mode 0600) holding `bytes` random bytes as hex when it does not exist, and never
/// touches an existing one. Returns the key bytes. Throws std::runtime_error when the file exists
/// but is unreadable or malformed: a key is never silently replaced.
std::string EnsureKeyFile(const std::filesystem::path& file, std::size_t bytes);

}  // namespace gatehouse::app
