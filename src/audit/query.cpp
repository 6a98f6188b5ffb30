#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "audit/audit_log.hpp"
#include "audit/audit_log_impl.hpp"
#include "audit/event_row.hpp"
#include "store/where.hpp"

namespace gatehouse::audit {
namespace {

constexpr std::size_t kMaxLimit = 500;

struct Where : store::Where {
    void AddTimeRange(const std::optional<core::Clock::time_point>& since,
                      const std::optional<core::Clock::time_point>& until) {
        // Fixed-width RFC 3339 text orders like the times it spells.
        if (since) Add("ts >= ?", {core::FormatRfc3339(*since)});
        if (until) Add("ts < ?", {core::FormatRfc3339(*until)});
    }
};

Where FilterWhere(const Filter& filter) {
    Where where;
    if (filter.actor) where.Add("(actor_id = ? OR actor_name = ?)", {*filter.actor, *filter.actor});
    if (filter.action) {
        const std::string& action = *filter.action;
        if (!action.empty() && action.back() == '*') {
            // substr/length compare exactly in both dialects, with no LIKE wildcards to escape
            // and no SQLite case folding.
            const std::string prefix = action.substr(0, action.size() - 1);
            where.Add("substr(action, 1, length(?)) = ?", {prefix, prefix});
        } else {
            where.Add("action = ?", {action});
        }
    }
    if (filter.resource_type) where.Add("resource_type = ?", {*filter.resource_type});
    if (filter.resource_id) where.Add("resource_id = ?", {*filter.resource_id});
    if (filter.outcome) where.Add("outcome = ?", {*filter.outcome});
    where.AddTimeRange(filter.since, filter.until);
    if (filter.cursor) {
        const detail::CursorKey key = detail::DecodeCursor(*filter.cursor);
        where.Add("(ts < ? OR (ts = ? AND id < ?))", {key.ts, key.ts, key.id});
    }
    return where;
}

}  // namespace

boost::asio::awaitable<Page> AuditLog::Query(Filter filter) {
    const std::size_t limit = std::clamp<std::size_t>(filter.limit, 1, kMaxLimit);
    // Decoding the cursor here makes a malformed one fail before any database work.
    Where where = FilterWhere(filter);
    const std::string sql = "SELECT " + std::string(detail::kColumns) + " FROM audit_events" + where.sql +
                            " ORDER BY ts DESC, id DESC LIMIT ?";
    // One extra row tells whether another page exists.
    where.params.emplace_back(static_cast<std::int64_t>(limit + 1));
    Page page = co_await impl_->db.Read([&sql, &where](store::Connection& connection) {
        Page result;
        const store::ResultSet rows = connection.Execute(sql, where.params);
        for (const auto& row : rows.rows) result.items.push_back(detail::EventFromRow(row));
        return result;
    });
    if (page.items.size() > limit) {
        page.items.resize(limit);
        const Event& last = page.items.back();
        page.next_cursor = detail::EncodeCursor({core::FormatRfc3339(last.time), last.id});
    }
    co_return page;
}

boost::asio::awaitable<std::vector<StatsRow>> AuditLog::Stats(std::optional<core::Clock::time_point> since,
                                                              std::optional<core::Clock::time_point> until) {
    Where where;
    where.AddTimeRange(since, until);
    const std::string sql = "SELECT substr(ts, 1, 10), action, outcome, COUNT(*) FROM audit_events" + where.sql +
                            " GROUP BY substr(ts, 1, 10), action, outcome";
    std::vector<StatsRow> rows = co_await impl_->db.Read([&sql, &where](store::Connection& connection) {
        std::vector<StatsRow> result;
        for (const auto& row : connection.Execute(sql, where.params).rows) {
            result.push_back({row.String(0), row.String(1), row.String(2), row.Int(3)});
        }
        return result;
    });
    // Sorted here rather than in SQL: PostgreSQL's collation may not order by bytes.
    std::sort(rows.begin(), rows.end(), [](const StatsRow& a, const StatsRow& b) {
        return std::tie(a.day, a.action, a.outcome) < std::tie(b.day, b.action, b.outcome);
    });
    co_return rows;
}

boost::asio::awaitable<std::int64_t> AuditLog::Purge(core::Clock::time_point cutoff) {
    const std::string ts = core::FormatRfc3339(cutoff);
    co_return co_await impl_->db.Write([&ts](store::Connection& connection) {
        return connection.Execute("DELETE FROM audit_events WHERE ts < ?", {store::Value(ts)}).affected;
    });
}

}  // namespace gatehouse::audit
