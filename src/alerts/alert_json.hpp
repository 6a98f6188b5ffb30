#pragma once
// JSON of rules and alerts: the API's answers and the webhooks' payloads say the same.

#include <boost/json/object.hpp>

#include "alerts/alert_types.hpp"

namespace gatehouse::alerts {

boost::json::object LabelsObject(const Labels& labels);
boost::json::object RuleJson(const Rule& rule);
boost::json::object AlertJson(const Alert& alert);
boost::json::object EventJson(const AlertEvent& event);
boost::json::object DeliveryJson(const Delivery& delivery);

}  // namespace gatehouse::alerts
