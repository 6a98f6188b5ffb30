#include "store/counts.hpp"

#include <fmt/format.h>

namespace gatehouse::store {

Counts CountBy(Connection& c, std::string_view table, std::string_view column) {
    Counts counts;
    const auto result =
        c.Execute(fmt::format("SELECT {1}, COUNT(*) FROM {0} GROUP BY {1} ORDER BY {1}", table, column));
    for (const auto& row : result.rows) counts.emplace_back(row.String(0), row.Int(1));
    return counts;
}

}  // namespace gatehouse::store
