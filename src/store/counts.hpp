#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/database.hpp"

namespace gatehouse::store {

/// How many rows carry each value of a column (a state, a status).
using Counts = std::vector<std::pair<std::string, std::int64_t>>;

/// `SELECT <column>, COUNT(*) FROM <table> GROUP BY <column>`; both names are the caller's constants.
Counts CountBy(Connection& c, std::string_view table, std::string_view column);

}  // namespace gatehouse::store
