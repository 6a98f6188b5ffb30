#include "http/problem.hpp"

#include <boost/json/value.hpp>

#include "core/json_text.hpp"

namespace gatehouse::http {
namespace {

std::string_view Slug(Status status) {
    switch (status) {
        case Status::bad_request:
            return "bad-request";
        case Status::unauthorized:
            return "unauthorized";
        case Status::payment_required:
            return "insufficient-credits";
        case Status::forbidden:
            return "forbidden";
        case Status::not_found:
            return "not-found";
        case Status::method_not_allowed:
            return "method-not-allowed";
        case Status::conflict:
            return "conflict";
        case Status::payload_too_large:
            return "payload-too-large";
        case Status::unsupported_media_type:
            return "unsupported-media-type";
        case Status::unprocessable_entity:
            return "validation-error";
        case Status::too_many_requests:
            return "rate-limited";
        case Status::upgrade_required:
            return "upgrade-required";
        case Status::request_header_fields_too_large:
            return "headers-too-large";
        case Status::bad_gateway:
            return "bad-gateway";
        case Status::service_unavailable:
            return "unavailable";
        case Status::gateway_timeout:
            return "timeout";
        default:
            return "internal-error";
    }
}

}  // namespace

Status StatusFor(core::errc code) noexcept {
    using core::errc;
    switch (code) {
        case errc::ok:
            return Status::ok;
        case errc::invalid_argument:
            return Status::bad_request;
        case errc::unauthenticated:
            return Status::unauthorized;
        case errc::insufficient_credits:
            return Status::payment_required;
        case errc::forbidden:
            return Status::forbidden;
        case errc::not_found:
            return Status::not_found;
        case errc::method_not_allowed:
            return Status::method_not_allowed;
        case errc::conflict:
        case errc::already_exists:
            return Status::conflict;
        case errc::payload_too_large:
            return Status::payload_too_large;
        case errc::unsupported_media:
            return Status::unsupported_media_type;
        case errc::headers_too_large:
            return Status::request_header_fields_too_large;
        case errc::rate_limited:
            return Status::too_many_requests;
        case errc::bad_gateway:
            return Status::bad_gateway;
        case errc::unavailable:
            return Status::service_unavailable;
        case errc::timeout:
            return Status::gateway_timeout;
        case errc::internal:
            return Status::internal_server_error;
    }
    return Status::internal_server_error;
}

Response Problem(Status status, std::string_view detail, const boost::json::object& errors,
                 const boost::json::object& extra) {
    boost::json::object body;
    body["type"] = ProblemType(status);
    body["title"] = std::string(beast_http::obsolete_reason(status));
    body["status"] = static_cast<int>(status);
    body["detail"] = detail;
    if (!errors.empty()) body["errors"] = errors;
    for (const auto& [key, value] : extra) body[key] = value;
    Response response{status, 11};
    response.set(beast_http::field::content_type, "application/problem+json");
    response.body() = core::JsonText(body);
    return response;
}

std::string ProblemType(Status status) { return "/problems/" + std::string(Slug(status)); }

namespace {

// The request field a refusal is about, when its detail names one: "field 'ssh_port' must be ...", "server name
// '...' is taken", "username '...' is taken". Forms put the message next to that field.
std::string FieldOf(const core::Error& error) {
    const std::string_view detail = error.what();
    if (error.code() == core::errc::invalid_argument && detail.starts_with("field '")) {
        const auto end = detail.find('\'', 7);
        if (end != std::string_view::npos && end > 7) return std::string(detail.substr(7, end - 7));
    }
    if (error.code() == core::errc::already_exists && detail.find("' is taken") != std::string_view::npos) {
        if (detail.starts_with("username '")) return "username";
        if (detail.find(" name '") != std::string_view::npos) return "name";
    }
    return {};
}

}  // namespace

Response ProblemFor(const core::Error& error) {
    boost::json::object extra;
    if (!error.kind().empty()) extra["kind"] = error.kind();
    boost::json::object errors;
    if (auto field = FieldOf(error); !field.empty()) errors[field] = error.what();
    auto response = Problem(StatusFor(error.code()), error.what(), errors, extra);
    if (error.retry_after_s() > 0) response.set(beast_http::field::retry_after, std::to_string(error.retry_after_s()));
    return response;
}

Response Json(Status status, const boost::json::value& body) {
    Response response{status, 11};
    response.set(beast_http::field::content_type, "application/json");
    response.body() = core::JsonText(body);
    return response;
}

Response Created(const boost::json::value& body, const std::string& location) {
    auto response = Json(Status::created, body);
    response.set(beast_http::field::location, location);
    return response;
}

}  // namespace gatehouse::http
