#pragma once
// The alerts module's SQL; blocking, called inside Database::Read/Write.

#include "alerts/alert_types.hpp"
#include "store/database.hpp"

namespace gatehouse::alerts::sql {

using store::Connection;

/// Throws core::Error(already_exists) for a taken name.
void InsertRule(Connection& c, const Rule& rule);
void UpdateRule(Connection& c, const Rule& rule);
bool DeleteRule(Connection& c, std::string_view id);
std::optional<Rule> FindRule(Connection& c, std::string_view id);
std::optional<Rule> FindRuleByName(Connection& c, std::string_view name);
std::vector<Rule> ListRules(Connection& c, std::string_view after_id, std::size_t limit);
std::vector<Rule> AllRules(Connection& c);

/// Pending and firing alerts of a rule.
std::vector<Alert> ActiveAlerts(Connection& c, std::string_view rule_id);
void InsertAlert(Connection& c, const Alert& alert);
/// Writes the mutable fields (state, value, times, acknowledgement, last notification).
void UpdateAlert(Connection& c, const Alert& alert);
std::optional<Alert> FindAlert(Connection& c, std::string_view id);
/// Newest first: ids before `before_id` (empty: from the newest).
std::vector<Alert> ListAlerts(Connection& c, const AlertFilter& filter, std::string_view before_id, std::size_t limit);

void InsertEvent(Connection& c, std::string_view alert_id, const AlertEvent& event);
std::vector<AlertEvent> Events(Connection& c, std::string_view alert_id);
void InsertDelivery(Connection& c, std::string_view alert_id, const Delivery& delivery);
std::vector<Delivery> Deliveries(Connection& c, std::string_view alert_id);

}  // namespace gatehouse::alerts::sql
