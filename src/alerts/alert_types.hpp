#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "metricstore/sample.hpp"
#include "store/paging.hpp"

namespace gatehouse::alerts {

using metricstore::Labels;
using store::Page;

inline constexpr const char* kOperators[] = {">", ">=", "<", "<=", "==", "!="};
inline constexpr const char* kSeverities[] = {"info", "warning", "critical"};
inline constexpr const char* kStates[] = {"pending", "firing", "resolved"};

/// The series a rule watches and how its window is reduced to one value per series.
struct Expr {
    std::string name;
    Labels match;
    std::string agg = "avg";
    std::int64_t window_s = 60;
};

struct Rule {
    std::string id;
    std::string name;
    Expr expr;
    std::string op = ">";
    double threshold = 0;
    std::int64_t for_s = 0;
    std::string severity = "warning";
    Labels labels;
    Labels annotations;
    std::optional<std::string> webhook_url;
    bool webhook_secret_set = false;
    std::int64_t repeat_interval_s = 3600;
    bool enabled = true;
    bool builtin = false;
    std::string created_at;
    std::string updated_at;
};

/// A rule as a create or replace gives it; `webhook_secret` is write-only.
struct RuleInput {
    Rule rule;
    std::optional<std::string> webhook_secret;
};

struct Alert {
    std::string id;
    std::string rule_id;
    std::string rule_name;
    std::string fingerprint;  // the rule and the series' labels
    Labels labels;            // the series' labels, then the rule's
    std::string state;        // pending | firing | resolved
    std::string severity;
    std::optional<double> value;
    std::string started_at;
    std::int64_t started_epoch = 0;
    std::optional<std::string> fired_at;
    std::optional<std::string> resolved_at;
    std::optional<std::string> acknowledged_at;
    std::optional<std::string> acknowledged_by;
    std::optional<std::string> ack_comment;
    std::optional<std::int64_t> last_notified_epoch;
    std::string updated_at;
};

struct AlertEvent {
    std::string id;
    std::string state;  // pending, firing, resolved, acknowledged, notified
    std::optional<double> value;
    std::string note;
    std::string at;
};

struct Delivery {
    std::string id;
    std::string event;  // firing | repeat | resolved
    std::string url;
    int attempt = 0;
    std::optional<int> status;
    std::optional<std::string> error;
    std::string at;
};

struct AlertFilter {
    std::optional<std::string> state;
    std::optional<std::string> severity;
    std::optional<std::string> rule_id;
};

/// Whether `value op threshold` holds.
bool Compare(double value, const std::string& op, double threshold);

}  // namespace gatehouse::alerts
