#include "alerts/alert_sql.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/errc.hpp"

namespace gatehouse::alerts::sql {
namespace {

namespace json = boost::json;
using store::Nullable;
using store::Text;
using store::Value;

constexpr std::string_view kRuleColumns =
    "r.id, r.name, r.expr, r.op, r.threshold, r.for_s, r.severity, r.labels, r.annotations, r.webhook_url, "
    "r.repeat_interval_s, r.enabled, r.builtin, r.created_at, r.updated_at, "
    "EXISTS (SELECT 1 FROM secrets s WHERE s.owner_type = 'alert_rule' AND s.owner_id = r.id)";
constexpr std::string_view kAlertColumns =
    "a.id, a.rule_id, r.name, a.fingerprint, a.labels, a.state, a.severity, a.value, a.started_at, a.started_epoch, "
    "a.fired_at, a.resolved_at, a.acknowledged_at, a.acknowledged_by, a.ack_comment, a.last_notified_epoch, "
    "a.updated_at";

std::string ExprJson(const Expr& e) {
    json::object match;
    for (const auto& [k, v] : e.match) match[k] = v;
    return json::serialize(
        json::object{{"name", e.name}, {"match", std::move(match)}, {"agg", e.agg}, {"window_s", e.window_s}});
}

Expr ParseExpr(const std::string& text) {
    const auto value = json::parse(text);
    const auto& o = value.as_object();
    Expr e;
    e.name = std::string(o.at("name").as_string());
    e.match = metricstore::ParseLabelsJson(json::serialize(o.at("match")));
    e.agg = std::string(o.at("agg").as_string());
    e.window_s = o.at("window_s").to_number<std::int64_t>();
    return e;
}

Rule ToRule(const store::Row& r) {
    Rule rule;
    rule.id = r.String(0);
    rule.name = r.String(1);
    rule.expr = ParseExpr(r.String(2));
    rule.op = r.String(3);
    rule.threshold = r.Double(4);
    rule.for_s = r.Int(5);
    rule.severity = r.String(6);
    rule.labels = metricstore::ParseLabelsJson(r.String(7));
    rule.annotations = metricstore::ParseLabelsJson(r.String(8));
    rule.webhook_url = r.OptString(9);
    rule.repeat_interval_s = r.Int(10);
    rule.enabled = r.Bool(11);
    rule.builtin = r.Bool(12);
    rule.created_at = r.String(13);
    rule.updated_at = r.String(14);
    rule.webhook_secret_set = r.Bool(15);
    return rule;
}

std::optional<double> OptDouble(const store::Row& r, std::size_t i) {
    if (r.IsNull(i)) return std::nullopt;
    return r.Double(i);
}

Alert ToAlert(const store::Row& r) {
    Alert a;
    a.id = r.String(0);
    a.rule_id = r.String(1);
    a.rule_name = r.String(2);
    a.fingerprint = r.String(3);
    a.labels = metricstore::ParseLabelsJson(r.String(4));
    a.state = r.String(5);
    a.severity = r.String(6);
    a.value = OptDouble(r, 7);
    a.started_at = r.String(8);
    a.started_epoch = r.Int(9);
    a.fired_at = r.OptString(10);
    a.resolved_at = r.OptString(11);
    a.acknowledged_at = r.OptString(12);
    a.acknowledged_by = r.OptString(13);
    a.ack_comment = r.OptString(14);
    a.last_notified_epoch = r.OptInt(15);
    a.updated_at = r.String(16);
    return a;
}

std::vector<Value> RuleValues(const Rule& r) {
    return {Text(r.name),
            Text(ExprJson(r.expr)),
            Text(r.op),
            Value(r.threshold),
            Value(r.for_s),
            Text(r.severity),
            Text(metricstore::LabelsJson(r.labels)),
            Text(metricstore::LabelsJson(r.annotations)),
            Nullable(r.webhook_url),
            Value(r.repeat_interval_s),
            store::Bool(r.enabled),
            Text(r.updated_at),
            Text(r.id)};
}

std::vector<Rule> Rules(Connection& c, const std::string& where, std::vector<Value> params) {
    const auto result = c.Execute("SELECT " + std::string(kRuleColumns) + " FROM alert_rules r " + where, params);
    std::vector<Rule> rules;
    for (const auto& row : result.rows) rules.push_back(ToRule(row));
    return rules;
}

std::vector<Alert> Alerts(Connection& c, const std::string& where, std::vector<Value> params) {
    const auto result = c.Execute(
        "SELECT " + std::string(kAlertColumns) + " FROM alerts a JOIN alert_rules r ON r.id = a.rule_id " + where,
        params);
    std::vector<Alert> alerts;
    for (const auto& row : result.rows) alerts.push_back(ToAlert(row));
    return alerts;
}

}  // namespace

void InsertRule(Connection& c, const Rule& r) {
    auto values = RuleValues(r);
    values.push_back(store::Bool(r.builtin));
    values.push_back(Text(r.created_at));
    c.Execute(
        "INSERT INTO alert_rules (name, expr, op, threshold, for_s, severity, labels, annotations, webhook_url, "
        "repeat_interval_s, enabled, updated_at, id, builtin, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?, ?)",
        values);
}

void UpdateRule(Connection& c, const Rule& r) {
    c.Execute(
        "UPDATE alert_rules SET name = ?, expr = ?, op = ?, threshold = ?, for_s = ?, severity = ?, labels = ?, "
        "annotations = ?, webhook_url = ?, repeat_interval_s = ?, enabled = ?, updated_at = ? WHERE id = ?",
        RuleValues(r));
}

bool DeleteRule(Connection& c, std::string_view id) {
    return c.Execute("DELETE FROM alert_rules WHERE id = ?", {Text(id)}).affected == 1;
}

std::optional<Rule> FindRule(Connection& c, std::string_view id) {
    auto rules = Rules(c, "WHERE r.id = ?", {Text(id)});
    if (rules.empty()) return std::nullopt;
    return std::move(rules.front());
}

std::optional<Rule> FindRuleByName(Connection& c, std::string_view name) {
    auto rules = Rules(c, "WHERE r.name = ?", {Text(name)});
    if (rules.empty()) return std::nullopt;
    return std::move(rules.front());
}

std::vector<Rule> ListRules(Connection& c, std::string_view after_id, std::size_t limit) {
    return Rules(c, "WHERE r.id > ? ORDER BY r.id LIMIT ?", {Text(after_id), Value(static_cast<std::int64_t>(limit))});
}

std::vector<Rule> AllRules(Connection& c) { return Rules(c, "ORDER BY r.id", {}); }

std::vector<Alert> ActiveAlerts(Connection& c, std::string_view rule_id) {
    return Alerts(c, "WHERE a.rule_id = ? AND a.state IN ('pending', 'firing') ORDER BY a.id", {Text(rule_id)});
}

void InsertAlert(Connection& c, const Alert& a) {
    c.Execute(
        "INSERT INTO alerts (id, rule_id, fingerprint, labels, state, severity, value, started_at, started_epoch, "
        "fired_at, last_notified_epoch, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {Text(a.id), Text(a.rule_id), Text(a.fingerprint), Text(metricstore::LabelsJson(a.labels)), Text(a.state),
         Text(a.severity), a.value ? Value(*a.value) : Value(nullptr), Text(a.started_at), Value(a.started_epoch),
         Nullable(a.fired_at), Nullable(a.last_notified_epoch), Text(a.updated_at)});
}

void UpdateAlert(Connection& c, const Alert& a) {
    c.Execute(
        "UPDATE alerts SET state = ?, value = ?, fired_at = ?, resolved_at = ?, acknowledged_at = ?, "
        "acknowledged_by = ?, ack_comment = ?, last_notified_epoch = ?, updated_at = ? WHERE id = ?",
        {Text(a.state), a.value ? Value(*a.value) : Value(nullptr), Nullable(a.fired_at), Nullable(a.resolved_at),
         Nullable(a.acknowledged_at), Nullable(a.acknowledged_by), Nullable(a.ack_comment),
         Nullable(a.last_notified_epoch), Text(a.updated_at), Text(a.id)});
}

std::optional<Alert> FindAlert(Connection& c, std::string_view id) {
    auto alerts = Alerts(c, "WHERE a.id = ?", {Text(id)});
    if (alerts.empty()) return std::nullopt;
    return std::move(alerts.front());
}

std::vector<Alert> ListAlerts(Connection& c, const AlertFilter& filter, std::string_view before_id, std::size_t limit) {
    std::string where = "WHERE 1 = 1";
    std::vector<Value> params;
    if (!before_id.empty()) {
        where += " AND a.id < ?";
        params.push_back(Text(before_id));
    }
    if (filter.state) {
        where += " AND a.state = ?";
        params.push_back(Text(*filter.state));
    }
    if (filter.severity) {
        where += " AND a.severity = ?";
        params.push_back(Text(*filter.severity));
    }
    if (filter.rule_id) {
        where += " AND a.rule_id = ?";
        params.push_back(Text(*filter.rule_id));
    }
    where += " ORDER BY a.id DESC LIMIT ?";
    params.emplace_back(static_cast<std::int64_t>(limit));
    return Alerts(c, where, std::move(params));
}

void InsertEvent(Connection& c, std::string_view alert_id, const AlertEvent& e) {
    c.Execute("INSERT INTO alert_events (id, alert_id, state, value, note, at) VALUES (?, ?, ?, ?, ?, ?)",
              {Text(e.id), Text(alert_id), Text(e.state), e.value ? Value(*e.value) : Value(nullptr), Text(e.note),
               Text(e.at)});
}

std::vector<AlertEvent> Events(Connection& c, std::string_view alert_id) {
    const auto result = c.Execute("SELECT id, state, value, note, at FROM alert_events WHERE alert_id = ? ORDER BY id",
                                  {Text(alert_id)});
    std::vector<AlertEvent> events;
    for (const auto& r : result.rows)
        events.push_back({r.String(0), r.String(1), OptDouble(r, 2), r.String(3), r.String(4)});
    return events;
}

void InsertDelivery(Connection& c, std::string_view alert_id, const Delivery& d) {
    c.Execute(
        "INSERT INTO alert_deliveries (id, alert_id, event, url, attempt, status, error, at) VALUES (?, ?, ?, ?, ?, ?, "
        "?, ?)",
        {Text(d.id), Text(alert_id), Text(d.event), Text(d.url), Value(std::int64_t{d.attempt}),
         d.status ? Value(std::int64_t{*d.status}) : Value(nullptr), Nullable(d.error), Text(d.at)});
}

std::vector<Delivery> Deliveries(Connection& c, std::string_view alert_id) {
    const auto result = c.Execute(
        "SELECT id, event, url, attempt, status, error, at FROM alert_deliveries WHERE alert_id = ? ORDER BY id",
        {Text(alert_id)});
    std::vector<Delivery> deliveries;
    for (const auto& r : result.rows) {
        Delivery d{r.String(0),  r.String(1),    r.String(2), static_cast<int>(r.Int(3)),
                   std::nullopt, r.OptString(5), r.String(6)};
        if (!r.IsNull(4)) d.status = static_cast<int>(r.Int(4));
        deliveries.push_back(std::move(d));
    }
    return deliveries;
}

}  // namespace gatehouse::alerts::sql
