#include <boost/url/parse.hpp>

#include "collectors/collector_types.hpp"
#include "core/errc.hpp"

namespace gatehouse::collectors {
namespace {

[[noreturn]] void Invalid(const std::string& field, const std::string& why) {
    throw core::Error(core::errc::invalid_argument, "field '" + field + "' " + why);
}

void ValidateTarget(const boost::json::value& target, std::size_t index) {
    const std::string field = "postgres[" + std::to_string(index) + "]";
    if (!target.is_object()) Invalid(field, "must be an object {name, url}");
    const auto& object = target.as_object();
    for (const auto& [key, value] : object)
        if (key != "name" && key != "url") Invalid(field + "." + std::string(key), "is not a target field");
    const auto* name = object.if_contains("name");
    if (!name || !name->is_string() || name->as_string().empty() || name->as_string().size() > 128)
        Invalid(field + ".name", "must be a string of 1 to 128 characters");
    const auto* url = object.if_contains("url");
    if (!url || !url->is_string() || url->as_string().size() > 2048) Invalid(field + ".url", "must be a string");
    const auto parsed = boost::urls::parse_uri(std::string_view(url->as_string()));
    if (!parsed || (parsed->scheme() != "postgresql" && parsed->scheme() != "postgres"))
        Invalid(field + ".url", "must be a postgresql:// URL");
    // The collector host keeps the password (.pgpass, PGPASSWORD, its --postgres flag): configs are not secrets.
    if (parsed->has_password()) Invalid(field + ".url", "must not carry a password");
}

}  // namespace

const std::vector<std::pair<std::string, std::int64_t>>& MetricGroups() {
    static const std::vector<std::pair<std::string, std::int64_t>> groups{
        {"connections", 15},    {"transactions", 15}, {"activity", 15},   {"replication", 30},
        {"database_size", 300}, {"tables", 300},      {"wraparound", 300}};
    return groups;
}

CollectorConfig DefaultConfig(std::string updated_at) {
    CollectorConfig config;
    for (const auto& [group, seconds] : MetricGroups()) config.intervals[group] = seconds;
    config.updated_at = std::move(updated_at);
    return config;
}

boost::json::object ConfigJson(const CollectorConfig& config) {
    return {{"version", config.version},
            {"intervals", config.intervals},
            {"postgres", config.postgres},
            {"updated_at", config.updated_at}};
}

void ValidateConfig(const CollectorConfig& config) {
    for (const auto& [group, seconds] : config.intervals) {
        const std::string field = "intervals." + std::string(group);
        bool known = false;
        for (const auto& [name, unused] : MetricGroups()) known = known || name == group;
        if (!known)
            Invalid(field,
                    "is not a metric group (connections, transactions, activity, replication, "
                    "database_size, tables, wraparound)");
        if (!seconds.is_int64() || seconds.as_int64() < 1 || seconds.as_int64() > 86400)
            Invalid(field, "must be whole seconds from 1 to 86400");
    }
    if (config.postgres.size() > 64) Invalid("postgres", "may name at most 64 targets");
    for (std::size_t i = 0; i < config.postgres.size(); ++i) ValidateTarget(config.postgres[i], i);
}

}  // namespace gatehouse::collectors
