#pragma once

#include <vector>

#include "alerts/alert_types.hpp"

namespace gatehouse::alerts {

/// The PostgreSQL rules gatehouse ships, disabled: they watch the built-in sampler's series.
std::vector<Rule> BuiltinRules();

}  // namespace gatehouse::alerts
