#pragma once
// One rule's evaluation: the state machine pending -> firing -> resolved, with repeat notifications (pure).

#include <optional>
#include <string>
#include <vector>

#include "alerts/alert_types.hpp"

namespace gatehouse::alerts {

struct SeriesValue {
    Labels labels;
    double value = 0;
};

/// What one evaluation changes about one alert.
struct Transition {
    Alert alert;  // as it is after the change
    bool created = false;
    std::vector<AlertEvent> events;
    std::optional<std::string> notify;  // firing | repeat | resolved: a webhook to send
};

/// The fingerprint of a rule's alert for a series.
std::string Fingerprint(const std::string& rule_id, const Labels& labels);

/// Applies a rule's current values to its active alerts. A series whose value meets the condition opens an alert
/// (pending; firing at once when for_s is 0), which fires once it has held for for_s; a firing alert not
/// acknowledged notifies again every repeat_interval_s; an active alert whose series no longer meets the condition
/// (or has no value in the window, or whose rule is disabled: pass no values) resolves. Acknowledged alerts send
/// nothing more.
std::vector<Transition> Evaluate(const Rule& rule, const std::vector<Alert>& active,
                                 const std::vector<SeriesValue>& values, std::int64_t now_epoch,
                                 const std::string& now_rfc3339);

}  // namespace gatehouse::alerts
