#include "alerts/evaluation.hpp"

#include <cmath>
#include <map>

#include "core/ids.hpp"

namespace gatehouse::alerts {
namespace {

AlertEvent Event(std::string state, std::optional<double> value, std::string note, const std::string& at) {
    return AlertEvent{core::NewUuidV7(), std::move(state), value, std::move(note), at};
}

std::string Shown(double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.6g", value);
    return buffer;
}

}  // namespace

bool Compare(double value, const std::string& op, double threshold) {
    if (op == ">") return value > threshold;
    if (op == ">=") return value >= threshold;
    if (op == "<") return value < threshold;
    if (op == "<=") return value <= threshold;
    if (op == "==") return value == threshold;
    if (op == "!=") return value != threshold;
    return false;
}

std::string Fingerprint(const std::string& rule_id, const Labels& labels) {
    return core::Sha256Hex(rule_id + "\n" + metricstore::LabelsJson(labels)).substr(0, 32);
}

std::vector<Transition> Evaluate(const Rule& rule, const std::vector<Alert>& active,
                                 const std::vector<SeriesValue>& values, std::int64_t now, const std::string& at) {
    std::vector<Transition> changes;
    std::map<std::string, const Alert*> open;
    for (const auto& alert : active) open[alert.fingerprint] = &alert;
    const std::string condition = rule.expr.agg + "(" + rule.expr.name + ") " + rule.op + " " + Shown(rule.threshold);
    std::map<std::string, bool> holding;
    for (const auto& series : values) {
        if (!std::isfinite(series.value) || !Compare(series.value, rule.op, rule.threshold)) continue;
        const auto fingerprint = Fingerprint(rule.id, series.labels);
        holding[fingerprint] = true;
        const auto it = open.find(fingerprint);
        if (it == open.end()) {
            Transition t;
            t.created = true;
            Alert& a = t.alert;
            a.id = core::NewUuidV7();
            a.rule_id = rule.id;
            a.rule_name = rule.name;
            a.fingerprint = fingerprint;
            a.labels = series.labels;
            for (const auto& label : rule.labels) a.labels.push_back(label);
            a.severity = rule.severity;
            a.value = series.value;
            a.started_at = at;
            a.started_epoch = now;
            a.updated_at = at;
            a.state = "pending";
            t.events.push_back(Event("pending", series.value, condition + " (value " + Shown(series.value) + ")", at));
            if (rule.for_s <= 0) {
                a.state = "firing";
                a.fired_at = at;
                a.last_notified_epoch = now;
                t.events.push_back(Event("firing", series.value, "no for_s: fires at once", at));
                t.notify = "firing";
            }
            changes.push_back(std::move(t));
            continue;
        }
        Transition t{*it->second, false, {}, std::nullopt};
        Alert& a = t.alert;
        a.value = series.value;
        a.updated_at = at;
        if (a.state == "pending" && now - a.started_epoch >= rule.for_s) {
            a.state = "firing";
            a.fired_at = at;
            a.last_notified_epoch = now;
            t.events.push_back(
                Event("firing", series.value, "held for " + std::to_string(now - a.started_epoch) + " s", at));
            t.notify = "firing";
        } else if (a.state == "firing" && !a.acknowledged_at &&
                   now - a.last_notified_epoch.value_or(0) >= rule.repeat_interval_s) {
            a.last_notified_epoch = now;
            t.notify = "repeat";
        }
        changes.push_back(std::move(t));
    }
    for (const auto& alert : active) {
        if (holding.contains(alert.fingerprint)) continue;
        Transition t{alert, false, {}, std::nullopt};
        Alert& a = t.alert;
        const bool fired = a.state == "firing";
        a.state = "resolved";
        a.resolved_at = at;
        a.updated_at = at;
        t.events.push_back(Event("resolved", std::nullopt,
                                 !rule.enabled ? "rule disabled"
                                 : fired       ? "condition no longer holds"
                                               : "cleared before for_s",
                                 at));
        if (fired && !a.acknowledged_at) t.notify = "resolved";
        changes.push_back(std::move(t));
    }
    return changes;
}

}  // namespace gatehouse::alerts
