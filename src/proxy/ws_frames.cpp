#include "proxy/ws_frames.hpp"

namespace gatehouse::proxy {
namespace {

// The header's length once its first two bytes are known.
std::size_t HeaderLength(unsigned char second) {
    const std::size_t mask = (second & 0x80) ? 4 : 0;
    const unsigned len = second & 0x7F;
    return 2 + (len == 126 ? 2 : len == 127 ? 8 : 0) + mask;
}

std::uint64_t PayloadLength(const std::string& header) {
    const unsigned len = static_cast<unsigned char>(header[1]) & 0x7F;
    if (len < 126) return len;
    const std::size_t bytes = len == 126 ? 2 : 8;
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < bytes; ++i) value = (value << 8) | static_cast<unsigned char>(header[2 + i]);
    return value;
}

}  // namespace

void FrameBoundaries::Advance(std::string_view bytes) {
    while (!bytes.empty()) {
        if (payload_left_ > 0) {
            const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(payload_left_, bytes.size()));
            payload_left_ -= take;
            bytes.remove_prefix(take);
            continue;
        }
        header_ += bytes.front();
        bytes.remove_prefix(1);
        if (header_.size() < 2 || header_.size() < HeaderLength(static_cast<unsigned char>(header_[1]))) continue;
        payload_left_ = PayloadLength(header_);
        header_.clear();
    }
}

std::string CloseFrame(std::uint16_t code, std::string_view reason) {
    reason = reason.substr(0, 123);
    std::string frame;
    frame += static_cast<char>(0x88);
    frame += static_cast<char>(2 + reason.size());
    frame += static_cast<char>(code >> 8);
    frame += static_cast<char>(code & 0xFF);
    frame += reason;
    return frame;
}

}  // namespace gatehouse::proxy
