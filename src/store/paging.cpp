#include "store/paging.hpp"

#include <cctype>

#include "core/errc.hpp"

namespace gatehouse::store {

std::string CheckCursor(std::string_view cursor) {
    if (cursor.size() > 64) throw core::Error(core::errc::invalid_argument, "malformed cursor");
    for (char ch : cursor)
        if (!std::isxdigit(static_cast<unsigned char>(ch)) && ch != '-')
            throw core::Error(core::errc::invalid_argument, "malformed cursor");
    return std::string(cursor);
}

}  // namespace gatehouse::store
