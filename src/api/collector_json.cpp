#include "api/collector_json.hpp"

#include "api/json_fields.hpp"
#include "http/header_values.hpp"
#include "http/problem.hpp"

namespace gatehouse::api {

namespace json = boost::json;

json::object CollectorJson(const collectors::CollectorView& c) {
    return {{"id", c.id},
            {"name", c.name},
            {"hostname", c.hostname},
            {"status", c.status},
            {"created_at", c.created_at},
            {"created_by", c.created_by},
            {"certificate_sha256", c.certificate_sha256},
            {"certificate_expires_at", c.certificate_expires_at},
            {"renewed_at", OptionalJson(c.renewed_at)},
            {"last_push_at", OptionalJson(c.last_push_at)},
            {"samples_accepted", c.samples_accepted},
            {"samples_rejected", c.samples_rejected},
            {"batches", c.batches},
            {"version", c.agent_version},
            {"config_version", c.config_version}};
}

json::object RegistrationJson(const collectors::Registration& r) {
    json::object body{{"collector_id", r.collector_id},
                      {"certificate", r.certificate},
                      {"ca_certificate", r.ca_certificate},
                      {"certificate_expires_at", r.certificate_expires_at},
                      {"token", r.token},
                      {"token_expires_at", r.token_expires_at},
                      {"config", collectors::ConfigJson(r.config)}};
    if (r.private_key) body["private_key"] = *r.private_key;
    return body;
}

http::Response ConfigResponse(const http::RequestContext& context, const collectors::CollectorConfig& config) {
    const std::string etag = "\"v" + std::to_string(config.version) + "\"";
    if (http::IfNoneMatchHits(context.Header("If-None-Match"), etag)) {
        http::Response response{http::Status::not_modified, context.request.version()};
        response.set(http::beast_http::field::etag, etag);
        response.set(http::beast_http::field::cache_control, "no-cache");
        return response;
    }
    auto response = http::Json(http::Status::ok, collectors::ConfigJson(config));
    response.set(http::beast_http::field::etag, etag);
    response.set(http::beast_http::field::cache_control, "no-cache");
    return response;
}

}  // namespace gatehouse::api
