#include "core/time.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <ctime>

namespace gatehouse::core {

std::string FormatRfc3339(Clock::time_point t) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    long millis = static_cast<long>(ms % 1000);
    if (millis < 0) {
        millis += 1000;
        --secs;
    }
    std::tm tm{};
    gmtime_r(&secs, &tm);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                       tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
}

double RoundMilliseconds(double ms) { return std::round(ms * 1000.0) / 1000.0; }

double Milliseconds(std::chrono::steady_clock::duration elapsed) {
    return RoundMilliseconds(std::chrono::duration<double, std::milli>(elapsed).count());
}

namespace {

bool ReadInt(std::string_view s, std::size_t pos, std::size_t len, int& out) {
    if (pos + len > s.size()) return false;
    for (std::size_t i = pos; i < pos + len; ++i)
        if (s[i] < '0' || s[i] > '9') return false;
    std::from_chars(s.data() + pos, s.data() + pos + len, out);
    return true;
}

}  // namespace

std::optional<Clock::time_point> ParseRfc3339(std::string_view s) {
    int year, mon, day, hour, min, sec;
    if (!ReadInt(s, 0, 4, year) || s.size() < 20 || s[4] != '-' || !ReadInt(s, 5, 2, mon) || s[7] != '-' ||
        !ReadInt(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !ReadInt(s, 11, 2, hour) ||
        s[13] != ':' || !ReadInt(s, 14, 2, min) || s[16] != ':' || !ReadInt(s, 17, 2, sec))
        return std::nullopt;
    if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60) return std::nullopt;
    std::size_t pos = 19;
    long nanos = 0;
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        long scale = 100000000;
        std::size_t digits = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            if (scale > 0) nanos += (s[pos] - '0') * scale;
            scale /= 10;
            ++pos;
            ++digits;
        }
        if (digits == 0) return std::nullopt;
    }
    long offset_seconds = 0;
    if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
        ++pos;
    } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
        int oh, om;
        if (!ReadInt(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' || !ReadInt(s, pos + 4, 2, om) ||
            oh > 23 || om > 59)
            return std::nullopt;
        offset_seconds = (oh * 3600L + om * 60L) * (s[pos] == '-' ? -1 : 1);
        pos += 6;
    } else {
        return std::nullopt;
    }
    if (pos != s.size()) return std::nullopt;
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = min;
    tm.tm_sec = sec;
    const std::time_t secs = timegm(&tm) - offset_seconds;
    return Clock::time_point(std::chrono::seconds(secs)) +
           std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(nanos));
}

std::string NowRfc3339() { return FormatRfc3339(Clock::now()); }

std::int64_t EpochSeconds(Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace gatehouse::core
