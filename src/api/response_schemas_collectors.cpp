// The response schemas of collectors and the metrics store.
#include "api/schema_builders.hpp"

namespace gatehouse::api {
namespace {

using namespace schema;

json::object LabelsSchema() {
    return {{"type", "object"}, {"description", "Label names to values"}, {"additionalProperties", Str()}};
}

json::object ConfigSchema() {
    json::object intervals{{"type", "object"},
                           {"description", "Seconds between collections, per metric group"},
                           {"additionalProperties", Int()}};
    return Obj({{"version", Int("Incremented on each change")},
                {"intervals", std::move(intervals)},
                {"postgres", ArrayOf(Obj({{"name", Str()}, {"url", Str("postgresql:// URL without a password")}}))},
                {"updated_at", Time()}});
}

json::object CollectorSchema() {
    static constexpr std::string_view kStatuses[] = {"pending", "online", "offline", "expired"};
    return Obj({{"id", Str()},
                {"name", Str()},
                {"hostname", Str()},
                {"status", Enum(kStatuses, "pending: never pushed; online: pushed in the last 5 minutes")},
                {"created_at", Time()},
                {"created_by", Str("The user whose token enrolled it")},
                {"certificate_sha256", Str("SHA-256 of its client certificate (DER), hex")},
                {"certificate_expires_at", Time()},
                {"renewed_at", OrNull(Time())},
                {"last_push_at", OrNull(Time())},
                {"samples_accepted", Int()},
                {"samples_rejected", Int()},
                {"batches", Int()},
                {"version", Str("The agent's version, as it last reported it")},
                {"config_version", Int()}});
}

}  // namespace

json::object CollectorSchemas() {
    json::object point{{"type", "array"},
                       {"description", "[Unix seconds, value]"},
                       {"items", Num()},
                       {"minItems", 2},
                       {"maxItems", 2}};
    return {
        {"Collector", CollectorSchema()},
        {"CollectorPage", Page("Collector")},
        {"CollectorConfig", ConfigSchema()},
        {"EnrolmentToken", Obj({{"id", Str()},
                                {"token", Str("One use; shown only here")},
                                {"note", Str()},
                                {"created_at", Time()},
                                {"expires_at", Time()}})},
        {"CollectorRegistration", Obj({{"collector_id", Str("Also the CN of its certificate")},
                                       {"certificate", Str("PEM client certificate")},
                                       {"private_key", Str("PEM key, only when no CSR was sent")},
                                       {"ca_certificate", Str("PEM of every trusted CA, newest first")},
                                       {"certificate_expires_at", Time()},
                                       {"token", Str("Collector JWT (sub collector:<id>, type collector)")},
                                       {"token_expires_at", Time()},
                                       {"config", Ref("CollectorConfig")}},
                                      {}, {"private_key"})},
        {"MetricQuery", Obj({{"name", Str()},
                             {"agg", Str()},
                             {"from", Num("Unix seconds")},
                             {"to", Num("Unix seconds")},
                             {"step", Num("Seconds per point")},
                             {"resolution", Str("raw, 1m or 1h: the rows the points were computed from")},
                             {"series", ArrayOf(Obj({{"labels", LabelsSchema()}, {"points", ArrayOf(point)}}))}})},
        {"MetricLatest",
         Obj({{"name", Str()},
              {"series",
               ArrayOf(Obj({{"labels", LabelsSchema()}, {"time", Num("Unix seconds")}, {"value", Num()}}))}})},
        {"MetricSeries", Obj({{"name", Str()}, {"labels", LabelsSchema()}})},
        {"MetricSeriesPage", Page("MetricSeries")},
    };
}

json::object AlertSchemas() {
    static constexpr std::string_view kStates[] = {"pending", "firing", "resolved"};
    static constexpr std::string_view kSeverities[] = {"info", "warning", "critical"};
    static constexpr std::string_view kOperators[] = {">", ">=", "<", "<=", "==", "!="};
    static constexpr std::string_view kAggs[] = {"avg", "min", "max", "sum", "count", "last", "p95"};
    const auto rule = [&](bool saved) {
        auto s = Obj({{"id", Str()},
                      {"name", Str()},
                      {"expr", Obj({{"name", Str("Metric name")},
                                    {"match", LabelsSchema()},
                                    {"agg", Enum(kAggs)},
                                    {"window_s", Int("Seconds of samples reduced to one value per series")}})},
                      {"op", Enum(kOperators)},
                      {"threshold", Num()},
                      {"for_s", Int("Seconds the condition must hold before the alert fires")},
                      {"severity", Enum(kSeverities)},
                      {"labels", LabelsSchema()},
                      {"annotations", LabelsSchema()},
                      {"webhook_url", OrNull(Str())},
                      {"webhook_secret_set", Bool("Webhooks are signed: X-Gatehouse-Signature: sha256=<HMAC>")},
                      {"repeat_interval_s", Int()},
                      {"enabled", Bool()},
                      {"builtin", Bool()},
                      {"created_at", Time()},
                      {"updated_at", Time()}});
        if (saved) {
            s["properties"].as_object()["webhook_secret"] = Str("The generated webhook secret; shown only here");
        }
        return s;
    };
    auto alert = Obj({{"id", Str()},
                      {"rule_id", Str()},
                      {"rule_name", Str()},
                      {"state", Enum(kStates)},
                      {"severity", Enum(kSeverities)},
                      {"labels", LabelsSchema()},
                      {"value", OrNull(Num("The last evaluated value"))},
                      {"started_at", Time()},
                      {"fired_at", OrNull(Time())},
                      {"resolved_at", OrNull(Time())},
                      {"acknowledged", Bool()},
                      {"acknowledged_at", OrNull(Time())},
                      {"acknowledged_by", OrNull(Str())},
                      {"ack_comment", OrNull(Str())},
                      {"updated_at", Time()}});
    auto detail = alert;
    auto& properties = detail["properties"].as_object();
    auto& required = detail["required"].as_array();
    properties["history"] = ArrayOf(Obj({{"id", Str()},
                                         {"state", Str("pending, firing, resolved or acknowledged")},
                                         {"value", OrNull(Num())},
                                         {"note", Str()},
                                         {"at", Time()}}));
    properties["deliveries"] = ArrayOf(Obj({{"id", Str()},
                                            {"event", Str("firing, repeat or resolved")},
                                            {"url", Str()},
                                            {"attempt", Int()},
                                            {"status", OrNull(Int("HTTP status of the answer"))},
                                            {"error", OrNull(Str())},
                                            {"at", Time()}}));
    required.emplace_back("history");
    required.emplace_back("deliveries");
    return {{"AlertRule", rule(false)},  {"AlertRuleSaved", rule(true)},     {"AlertRulePage", Page("AlertRule")},
            {"Alert", std::move(alert)}, {"AlertDetail", std::move(detail)}, {"AlertPage", Page("Alert")}};
}

}  // namespace gatehouse::api
