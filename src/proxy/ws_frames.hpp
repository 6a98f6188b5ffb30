#pragma once
// Just enough of RFC 6455 framing for a byte-relaying tunnel: where frames end, and a close frame of its own.

#include <cstdint>
#include <string>
#include <string_view>

namespace gatehouse::proxy {

/// Follows a stream of WebSocket frames byte by byte and tells whether it stands between two frames.
class FrameBoundaries {
  public:
    void Advance(std::string_view bytes);
    bool AtBoundary() const noexcept { return header_.empty() && payload_left_ == 0; }

  private:
    std::string header_;  // the header of the frame being read, while incomplete
    std::uint64_t payload_left_ = 0;
};

/// An unmasked close frame (server to client) with `code` and `reason` (at most 123 bytes).
std::string CloseFrame(std::uint16_t code, std::string_view reason);

}  // namespace gatehouse::proxy
