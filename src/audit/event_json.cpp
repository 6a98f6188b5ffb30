#include "audit/audit_log.hpp"

namespace gatehouse::audit {
namespace {

// Absent optional fields are null rather than "", so clients need one test, not two.
boost::json::value OrNull(const std::string& s) {
    return s.empty() ? boost::json::value(nullptr) : boost::json::value(s);
}

}  // namespace

boost::json::object ToJson(const Event& event) {
    boost::json::object out;
    out["id"] = event.id;
    out["time"] = core::FormatRfc3339(event.time);
    out["actor"] = {{"kind", event.actor_kind}, {"id", OrNull(event.actor_id)}, {"name", OrNull(event.actor_name)}};
    out["source_ip"] = OrNull(event.source_ip);
    out["user_agent"] = OrNull(event.user_agent);
    out["action"] = event.action;
    out["resource"] = {{"type", OrNull(event.resource_type)}, {"id", OrNull(event.resource_id)}};
    out["outcome"] = event.outcome;
    out["status"] = event.status ? boost::json::value(*event.status) : boost::json::value(nullptr);
    out["request_id"] = OrNull(event.request_id);
    out["details"] = event.details;
    return out;
}

}  // namespace gatehouse::audit
