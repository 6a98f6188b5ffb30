#include "audit/changes.hpp"

#include <boost/json/array.hpp>

namespace gatehouse::audit {

boost::json::value Changes::ToJson(const std::optional<std::string>& v) {
    return v ? boost::json::value(*v) : boost::json::value(nullptr);
}

boost::json::value Changes::ToJson(const std::vector<std::string>& v) {
    boost::json::array array;
    for (const auto& item : v) array.emplace_back(item);
    return array;
}

void Changes::Record(std::string_view name, boost::json::value before, boost::json::value after) {
    if (before == after) return;
    fields_[name] = boost::json::object{{"old", std::move(before)}, {"new", std::move(after)}};
}

Changes Changes::Between(const boost::json::object& before, const boost::json::object& after) {
    Changes changes;
    for (const auto& [key, value] : after) {
        if (key == "updated_at") continue;
        const auto* old = before.if_contains(key);
        changes.Record(key, old ? *old : boost::json::value(nullptr), value);
    }
    for (const auto& [key, value] : before)
        if (!after.contains(key)) changes.Record(key, value, nullptr);
    return changes;
}

void Changes::Secret(std::string_view name, bool replaced) {
    if (replaced) fields_[name] = boost::json::object{{"changed", true}};
}

}  // namespace gatehouse::audit
