#include "core/log.hpp"
#include "http/detail/websocket_upgrade.hpp"

namespace gatehouse::http::detail {

bool WebSocketHandlerEndedWell(std::exception_ptr error, const std::string& request_id) {
    if (!error) return true;
    std::string what;
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        what = e.what();
    } catch (...) {
        what = "unknown exception";
    }
    core::LogError("http.websocket_handler_exception", {{"request_id", request_id}, {"error", what}});
    return false;
}

}  // namespace gatehouse::http::detail
