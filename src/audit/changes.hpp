#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gatehouse::audit {

/// What an update changed, for its audit event: `{"field": {"old": ..., "new": ...}}` for plain fields and
/// `{"field": {"changed": true}}` for secrets, whose values never appear.
class Changes {
  public:
    /// Recorded when `before` and `after` differ. T: std::string, bool, int, std::int64_t,
    /// std::optional<std::string>, std::vector<std::string> or boost::json::value.
    template <class T>
    void Field(std::string_view name, const T& before, const T& after) {
        Record(name, ToJson(before), ToJson(after));
    }
    /// A secret that the update replaced (when `replaced`).
    void Secret(std::string_view name, bool replaced);
    /// Every field whose value differs between two views of a resource (its JSON before and after the update),
    /// but the timestamps every update moves. The views must not hold secrets (API views never do).
    static Changes Between(const boost::json::object& before, const boost::json::object& after);

    bool empty() const noexcept { return fields_.empty(); }
    const boost::json::object& fields() const noexcept { return fields_; }

  private:
    static boost::json::value ToJson(const boost::json::value& v) { return v; }
    static boost::json::value ToJson(const std::string& v) { return boost::json::value(v); }
    static boost::json::value ToJson(bool v) { return boost::json::value(v); }
    static boost::json::value ToJson(int v) { return boost::json::value(v); }
    static boost::json::value ToJson(std::int64_t v) { return boost::json::value(v); }
    static boost::json::value ToJson(const std::optional<std::string>& v);
    static boost::json::value ToJson(const std::vector<std::string>& v);
    void Record(std::string_view name, boost::json::value before, boost::json::value after);

    boost::json::object fields_;
};

}  // namespace gatehouse::audit
