#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gatehouse::http {

struct OutboundResult {
    std::optional<int> status;  // the HTTP status, when an answer came
    std::string error;          // why none did
};

/// POSTs `body` (its Content-Type among `headers`) to an http(s) URL (HTTPS verified against the system's roots, with
/// SNI and host name checks) and reads the answer's status, all within `timeout`. Never throws.
boost::asio::awaitable<OutboundResult> OutboundPost(std::string url, std::string body,
                                                    std::vector<std::pair<std::string, std::string>> headers,
                                                    std::chrono::seconds timeout);

}  // namespace gatehouse::http
