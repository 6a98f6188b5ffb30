#pragma once

#include <string_view>

#include <boost/json/object.hpp>
#include <spdlog/common.h>

namespace gatehouse::core {

/// Sets up the process logger: JSON lines on stderr, written by a background thread so that no
/// request waits on the terminal or a pipe. `level` is trace|debug|info|warn|error.
void InitLogging(std::string_view level);

/// Flushes and stops the background writer (call once, at exit).
void ShutdownLogging();

/// One JSON log line: {"ts", "level", "event", ...fields}. Never pass secrets in `fields`.
void Log(spdlog::level::level_enum level, std::string_view event, boost::json::object fields = {});

inline void LogInfo(std::string_view event, boost::json::object fields = {}) {
    Log(spdlog::level::info, event, std::move(fields));
}
inline void LogWarn(std::string_view event, boost::json::object fields = {}) {
    Log(spdlog::level::warn, event, std::move(fields));
}
inline void LogError(std::string_view event, boost::json::object fields = {}) {
    Log(spdlog::level::err, event, std::move(fields));
}

}  // namespace gatehouse::core
