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

}  // namespace gatehouse::api
