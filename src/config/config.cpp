#include "config/config.hpp"

#include <charconv>
#include <stdexcept>

namespace gatehouse::config {

std::pair<std::string, std::uint16_t> SplitListen(const std::string& listen) {
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size())
        throw std::invalid_argument("expected host:port, got '" + listen + "'");
    std::string host = listen.substr(0, colon);
    if (host.front() == '[') {
        if (host.back() != ']' || host.size() < 3)
            throw std::invalid_argument("malformed IPv6 address in '" + listen + "'");
        host = host.substr(1, host.size() - 2);
    }
    unsigned port = 0;
    const char* begin = listen.data() + colon + 1;
    const char* end = listen.data() + listen.size();
    auto [ptr, ec] = std::from_chars(begin, end, port);
    if (ec != std::errc() || ptr != end || port > 65535)
        throw std::invalid_argument("expected a port from 0 to 65535 in '" + listen + "'");
    return {host, static_cast<std::uint16_t>(port)};
}

std::vector<std::string> SplitList(const std::string& text) {
    std::vector<std::string> items;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto end = text.find(',', start);
        if (end == std::string::npos) end = text.size();
        auto item = text.substr(start, end - start);
        const auto first = item.find_first_not_of(' ');
        const auto last = item.find_last_not_of(' ');
        if (first != std::string::npos) items.push_back(item.substr(first, last - first + 1));
        start = end + 1;
    }
    return items;
}

}  // namespace gatehouse::config
