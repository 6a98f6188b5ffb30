#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "audit/audit_log.hpp"
#include "store/database.hpp"

namespace gatehouse::audit::detail {

/// The stored columns, in the order EventParams binds them and EventFromRow reads them.
inline constexpr std::string_view kColumns =
    "id, ts, actor_kind, actor_id, actor_name, source_ip, user_agent, action, resource_type, resource_id, outcome, "
    "status, request_id, details";
inline constexpr std::size_t kColumnCount = 14;

void AppendEventParams(const Event& event, std::vector<store::Value>& params);
Event EventFromRow(const store::Row& row);

/// The cursor is the (ts, id) of the last item of a page, so the next page starts strictly after it
/// even when several events share a timestamp.
struct CursorKey {
    std::string ts;
    std::string id;
};
std::string EncodeCursor(const CursorKey& key);
/// Throws core::Error(invalid_argument, "malformed cursor").
CursorKey DecodeCursor(std::string_view cursor);

}  // namespace gatehouse::audit::detail
