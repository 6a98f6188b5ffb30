#include <gtest/gtest.h>

#include "http/detail/websocket_upgrade.hpp"

namespace gatehouse::http::detail {
namespace {

TEST(WebSocketClose, KeepsSendableCodesAndReplacesTheRest) {
    for (std::uint16_t code : {1000, 1001, 1003, 1007, 1011, 1013, 3000, 4000, 4999})
        EXPECT_EQ(SendableCloseCode(code), code);
    for (std::uint16_t code : {0, 999, 1004, 1005, 1006, 1014, 1015, 2999, 5000})
        EXPECT_EQ(SendableCloseCode(code), 1000);
}

TEST(WebSocketClose, ReasonIsCutTo123BytesOnACharacterBoundary) {
    EXPECT_EQ(SendableCloseReason("bye"), "bye");
    EXPECT_EQ(SendableCloseReason(std::string(200, 'x')), std::string(123, 'x'));
    // 122 ASCII bytes then a 2-byte "é": byte 123 would split it, so it goes whole.
    const std::string split = std::string(122, 'x') + "\xC3\xA9" + "tail";
    EXPECT_EQ(SendableCloseReason(split), std::string(122, 'x'));
    const std::string fits = std::string(121, 'x') + "\xC3\xA9" + "tail";
    EXPECT_EQ(SendableCloseReason(fits), std::string(121, 'x') + "\xC3\xA9");
}

}  // namespace
}  // namespace gatehouse::http::detail
