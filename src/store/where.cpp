#include "store/where.hpp"

namespace gatehouse::store {

std::string LikeLiteral(std::string_view text) {
    std::string out;
    for (char ch : text) {
        if (ch == '%' || ch == '_' || ch == '\\') out += '\\';
        out += ch;
    }
    return out;
}

}  // namespace gatehouse::store
