#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"

namespace gatehouse::store {

/// The WHERE clause of a filtered list, built from optional filters, with its parameters: every value goes in as a
/// `?`, none is ever spliced into the SQL.
struct Where {
    std::string sql = " WHERE 1 = 1";
    std::vector<Value> params;

    void Add(std::string_view clause, std::initializer_list<Value> values) {
        sql += " AND ";
        sql += clause;
        params.insert(params.end(), values);
    }
};

/// A LIKE pattern that matches `text` literally (escape character backslash: write `LIKE ? ESCAPE '\'`, which both
/// SQLite and PostgreSQL read the same way).
std::string LikeLiteral(std::string_view text);

}  // namespace gatehouse::store
