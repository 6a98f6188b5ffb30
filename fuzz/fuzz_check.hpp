#pragma once
// What the fuzz targets share: the input as text, and a check that aborts (so libFuzzer keeps the input) when a
// property the target states does not hold.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#define FUZZ_CHECK(condition)                                                                         \
    do {                                                                                              \
        if (!(condition)) {                                                                           \
            std::fprintf(stderr, "FUZZ_CHECK failed: %s at %s:%d\n", #condition, __FILE__, __LINE__); \
            std::abort();                                                                             \
        }                                                                                             \
    } while (0)

namespace gatehouse::fuzz {

inline std::string_view AsText(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

/// Splits `text` at the first `separator`: the part before it (all of `text` when absent) is returned and removed.
inline std::string_view TakeUntil(std::string_view& text, char separator) {
    const auto at = text.find(separator);
    const auto head = text.substr(0, at);
    text = at == std::string_view::npos ? std::string_view{} : text.substr(at + 1);
    return head;
}

}  // namespace gatehouse::fuzz
