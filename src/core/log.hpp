#pragma once

#include <spdlog/common.h>

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace gatehouse::core {

/// Sets up the process logger: JSON lines on stderr, buffered and written in batches so that a
/// request never waits on a write. `level` is trace|debug|info|warn|error.
void InitLogging(std::string_view level);

/// Flushes and stops the background writer (call once, at exit).
void ShutdownLogging();

/// One JSON log line: {"ts", "level", "event", ...fields}. Never pass secrets in `fields`.
void Log(spdlog::level::level_enum level, std::string_view event, boost::json::object fields = {});

/// Logs a line the caller already formatted as one JSON object (the per-request hot path).
void LogLine(spdlog::level::level_enum level, std::string_view json_line);
bool ShouldLog(spdlog::level::level_enum level);
/// Lines dropped because stderr could not take them fast enough (logging never blocks the caller).
std::uint64_t DroppedLogLines() noexcept;
/// Appends `text` as a JSON string literal (quoted and escaped).
void AppendJsonString(std::string& out, std::string_view text);

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
