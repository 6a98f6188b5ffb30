#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gatehouse::core {

using Clock = std::chrono::system_clock;

/// RFC 3339 UTC with millisecond precision: 2026-11-22T02:23:21.123Z
std::string FormatRfc3339(Clock::time_point t);
/// FormatRfc3339 of now.
std::string NowRfc3339();
/// Whole seconds since the Unix epoch (of now by default).
std::int64_t EpochSeconds(Clock::time_point t = Clock::now());

/// Milliseconds rounded to 3 decimals (whole microseconds): how the API reports durations.
double RoundMilliseconds(double ms);
/// `elapsed` in milliseconds, rounded like RoundMilliseconds.
double Milliseconds(std::chrono::steady_clock::duration elapsed);

/// Accepts RFC 3339 with `Z` or a numeric offset, optional fractional seconds. nullopt when malformed.
std::optional<Clock::time_point> ParseRfc3339(std::string_view text);

}  // namespace gatehouse::core
