#include "ssh/ssh_client.hpp"

namespace gatehouse::ssh {

std::string ShellQuote(std::string_view arg) {
    // Inside single quotes a POSIX shell interprets nothing, not even backslashes; the only
    // character that cannot appear is the quote itself, so it closes, adds \' and reopens.
    std::string out;
    out.reserve(arg.size() + 2);
    out.push_back('\'');
    for (const char c : arg) {
        if (c == '\'') {
            out.append("'\\''");
        } else {
            out.push_back(c);
        }
    }
    out.push_back('\'');
    return out;
}

}  // namespace gatehouse::ssh
