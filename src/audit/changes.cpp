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

void Changes::Secret(std::string_view name, bool replaced) {
    if (replaced) fields_[name] = boost::json::object{{"changed", true}};
}

}  // namespace gatehouse::audit
