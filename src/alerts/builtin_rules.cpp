#include "alerts/builtin_rules.hpp"

namespace gatehouse::alerts {
namespace {

Rule Builtin(std::string name, std::string metric, std::string agg, std::int64_t window_s, std::string op,
             double threshold, std::int64_t for_s, std::string severity, std::string summary) {
    Rule rule;
    rule.name = std::move(name);
    rule.expr = Expr{std::move(metric), {}, std::move(agg), window_s};
    rule.op = std::move(op);
    rule.threshold = threshold;
    rule.for_s = for_s;
    rule.severity = std::move(severity);
    rule.annotations = {{"summary", std::move(summary)}};
    rule.enabled = false;
    rule.builtin = true;
    return rule;
}

}  // namespace

std::vector<Rule> BuiltinRules() {
    return {
        Builtin("PostgreSQL connections over 80% of max_connections", "gatehouse_pg_connections_used_ratio", "avg", 60,
                ">", 0.8, 300, "warning", "Connections in use exceed 80% of max_connections"),
        Builtin("PostgreSQL replication lag", "pg_replication_lag", "max", 60, ">", 30, 120, "warning",
                "A standby replays more than 30 s behind its primary"),
        Builtin("PostgreSQL long transaction", "pg_stat_activity_max_tx_duration", "max", 60, ">", 3600, 60, "warning",
                "A transaction has been open for more than an hour"),
        Builtin("PostgreSQL transaction ID wraparound", "gatehouse_pg_max_frozenxid_age", "max", 300, ">", 1.5e9, 0,
                "critical", "A database's oldest unfrozen transaction ID is past 1.5 billion: vacuum it"),
        Builtin("PostgreSQL dead tuples", "gatehouse_pg_dead_tuple_ratio_max", "max", 600, ">", 0.2, 1800, "warning",
                "A table holds more than 20% dead tuples: autovacuum is behind"),
        Builtin("PostgreSQL cache hit ratio", "gatehouse_pg_cache_hit_ratio", "avg", 600, "<", 0.9, 900, "warning",
                "Fewer than 90% of block reads come from shared buffers"),
    };
}

}  // namespace gatehouse::alerts
