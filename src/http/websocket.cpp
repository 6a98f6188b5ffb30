#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>

#include "core/log.hpp"
#include "http/detail/websocket_upgrade.hpp"

namespace gatehouse::http::detail {

bool WebSocketHandlerEndedWell(std::exception_ptr error, bool cancelled_by_us, const std::string& request_id) {
    if (!error) return true;
    std::string what;
    try {
        std::rethrow_exception(error);
    } catch (const boost::system::system_error& e) {
        // The cancellation the session sent when the connection ended surfaces as operation_aborted.
        if (cancelled_by_us && e.code() == boost::asio::error::operation_aborted) return true;
        what = e.what();
    } catch (const std::exception& e) {
        what = e.what();
    } catch (...) {
        what = "unknown exception";
    }
    core::LogError("http.websocket_handler_exception", {{"request_id", request_id}, {"error", what}});
    return false;
}

}  // namespace gatehouse::http::detail
