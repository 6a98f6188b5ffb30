#include "core/text.hpp"

#include <cstdint>

namespace gatehouse::core {
namespace {

// Bytes a sequence starting with `lead` needs; 0 for a byte that cannot start one.
int SequenceLength(unsigned char lead) noexcept {
    if (lead < 0x80) return 1;
    if (lead >= 0xC2 && lead <= 0xDF) return 2;
    if (lead >= 0xE0 && lead <= 0xEF) return 3;
    if (lead >= 0xF0 && lead <= 0xF4) return 4;
    return 0;
}

}  // namespace

bool IsValidUtf8(std::string_view text) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const auto* end = p + text.size();
    while (p < end) {
        const int n = SequenceLength(*p);
        if (n == 0 || end - p < n) return false;
        if (n == 1) {
            ++p;
            continue;
        }
        for (int i = 1; i < n; ++i)
            if ((p[i] & 0xC0) != 0x80) return false;
        if (n == 3 && ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] >= 0xA0))) return false;
        if (n == 4 && ((p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] >= 0x90))) return false;
        p += n;
    }
    return true;
}

std::size_t Utf8CompleteLength(std::string_view text) noexcept {
    const std::size_t size = text.size();
    for (std::size_t back = 1; back <= 3 && back <= size; ++back) {
        const auto byte = static_cast<unsigned char>(text[size - back]);
        if ((byte & 0xC0) == 0x80) continue;  // a continuation byte: look further back
        const int needed = SequenceLength(byte);
        return needed > static_cast<int>(back) ? size - back : size;
    }
    return size;
}

bool IEquals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

std::string NameProblem(std::string_view name, std::size_t max_characters) {
    std::size_t characters = 0;
    for (unsigned char ch : name) {
        if (ch < 0x20 || ch == 0x7F) return "must not contain control characters";
        if ((ch & 0xC0) != 0x80) ++characters;
    }
    if (characters < 1 || characters > max_characters)
        return "must be 1 to " + std::to_string(max_characters) + " characters";
    if (name.find_first_not_of(' ') == std::string_view::npos) return "must not be blank";
    if (name.front() == ' ' || name.back() == ' ') return "must not start or end with a space";
    return {};
}

std::string AsciiLower(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

}  // namespace gatehouse::core
