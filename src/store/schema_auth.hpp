#pragma once
// Migration 9: the auth epoch behind every instance's in-memory auth view. Included by schema.cpp only.

#include <string_view>

namespace gatehouse::store::detail {

inline constexpr std::string_view kAuthEpochSql = R"sql(
            CREATE TABLE auth_epoch (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                version BIGINT NOT NULL
            );
            INSERT INTO auth_epoch (id, version) VALUES (1, 0);
            ALTER TABLE users ADD COLUMN auth_version BIGINT NOT NULL DEFAULT 0;
            ALTER TABLE api_tokens ADD COLUMN auth_version BIGINT NOT NULL DEFAULT 0;
            CREATE TABLE revoked_families (
                family_id TEXT PRIMARY KEY,
                until_epoch BIGINT NOT NULL
            );
        )sql";

}  // namespace gatehouse::store::detail
