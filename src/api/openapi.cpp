#include <algorithm>
#include <boost/json/value.hpp>

#include "api/ops_handlers.hpp"
#include "api/response_schemas.hpp"
#include "core/build_info.hpp"
#include "core/json_text.hpp"
#include "http/problem.hpp"

namespace gatehouse::api {
namespace {

namespace json = boost::json;

std::string OpenApiPath(const http::Route& route) {
    std::string path;
    for (const auto& segment : route.segments()) {
        path += "/";
        path += segment.kind == http::Route::Segment::kLiteral ? segment.text : "{" + segment.text + "}";
    }
    return path.empty() ? "/" : path;
}

std::string OperationId(const http::Route& route) {
    std::string id(http::beast_http::to_string(route.method()));
    for (char& ch : id) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    for (const auto& segment : route.segments()) {
        id += "_";
        for (char ch : segment.text) id += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
    }
    return id;
}

json::object QueryParameter(const http::QueryParam& param) {
    using Type = http::QueryParam::Type;
    json::object schema;
    switch (param.type) {
        case Type::kString:
            schema["type"] = "string";
            if (!param.choices.empty()) {
                json::array choices;
                for (const auto& choice : param.choices) choices.emplace_back(choice);
                schema["enum"] = std::move(choices);
            }
            break;
        case Type::kInteger:
            schema["type"] = "integer";
            if (param.minimum != INT64_MIN) schema["minimum"] = param.minimum;
            if (param.maximum != INT64_MAX) schema["maximum"] = param.maximum;
            if (param.fallback) schema["default"] = *param.fallback;
            break;
        case Type::kBoolean:
            schema["type"] = "boolean";
            break;
        case Type::kDateTime:
            schema["type"] = "string";
            schema["format"] = "date-time";
            break;
    }
    return json::object{{"name", param.name},
                        {"in", "query"},
                        {"required", false},
                        {"description", param.description},
                        {"schema", std::move(schema)}};
}

// A problem+json response of `status`, its `type` fixed.
json::object ProblemResponse(http::Status status, std::string_view when) {
    json::object schema{
        {"allOf",
         json::array{json::object{{"$ref", "#/components/schemas/Problem"}},
                     json::object{{"properties",
                                   json::object{{"type", json::object{{"const", http::ProblemType(status)}}},
                                                {"status", json::object{{"const", static_cast<int>(status)}}}}}}}}};
    return json::object{
        {"description", when},
        {"content", json::object{{"application/problem+json", json::object{{"schema", std::move(schema)}}}}}};
}

json::object Responses(const http::Route& route) {
    using http::Status;
    json::object responses;
    const auto& options = route.options();
    const std::string code = std::to_string(static_cast<int>(options.success));
    json::object success{{"description", std::string(http::beast_http::obsolete_reason(options.success))}};
    if (options.success != Status::no_content) {
        json::object schema{{"type", "object"}};
        if (!options.response.empty()) {
            schema = {{"$ref", "#/components/schemas/" + options.response}};
        } else if (options.response_media_type != "application/json") {
            schema = {{"type", "string"}};
        }
        json::object content{{options.response_media_type, json::object{{"schema", std::move(schema)}}}};
        if (!options.response_alternative.empty())
            content[options.response_alternative] = json::object{
                {"schema", json::object{{"type", "string"}, {"contentMediaType", options.response_alternative}}}};
        success["content"] = std::move(content);
    }
    if (options.success == Status::created)
        success["headers"] = json::object{{"Location", json::object{{"description", "The path of what was created"},
                                                                    {"schema", json::object{{"type", "string"}}}}}};
    if (options.websocket) {
        responses["101"] = json::object{{"description", "Switching to the WebSocket protocol"}};
    } else {
        responses[code] = std::move(success);
    }
    const bool has_path_params = std::any_of(route.segments().begin(), route.segments().end(),
                                             [](const auto& s) { return s.kind != http::Route::Segment::kLiteral; });
    // Any route refuses a query parameter it does not declare.
    responses["400"] = ProblemResponse(Status::bad_request, "The request breaks its declaration (the detail says how)");
    // Grant and credential refusals the OAuth2 way (RFC 6749 section 5.2); a request that breaks its declaration
    // is problem+json as everywhere.
    if (options.oauth2_errors)
        responses["400"].as_object()["content"].as_object()["application/json"] =
            json::object{{"schema", json::object{{"$ref", "#/components/schemas/OAuthError"}}}};
    if (route.access() != http::Access::kPublic) {
        responses["401"] = ProblemResponse(Status::unauthorized, "No valid credentials");
        responses["403"] = ProblemResponse(Status::forbidden, "The caller's role is not enough");
    }
    if (has_path_params) responses["404"] = ProblemResponse(Status::not_found, "Nothing has that id");
    if (route.method() != http::Verb::get && route.access() != http::Access::kPublic)
        responses["409"] = ProblemResponse(Status::conflict, "The change conflicts with the current state");
    if (options.body && options.body->media_type == "application/json" && !options.body->free_form)
        responses["415"] = ProblemResponse(Status::unsupported_media_type, "The body is not application/json");
    responses["503"] = ProblemResponse(Status::service_unavailable, "gatehouse cannot serve this now (Retry-After)");
    if (options.charges)
        responses["402"] = ProblemResponse(Status::payment_required, "The wallet holds less than the price");
    if (options.upstream) {
        responses["409"] = ProblemResponse(Status::conflict, "The server has no usable PostgreSQL endpoint (`kind`)");
        responses["502"] = ProblemResponse(Status::bad_gateway, "The monitored PostgreSQL failed (`kind` says how)");
    }
    responses["default"] = json::object{
        {"description", "Any other error (RFC 9457)"},
        {"content", json::object{{"application/problem+json",
                                  json::object{{"schema", json::object{{"$ref", "#/components/schemas/Problem"}}}}}}}};
    return responses;
}

json::object Operation(const http::Route& route) {
    json::object op;
    op["summary"] = route.summary();
    op["operationId"] = OperationId(route);
    if (!route.options().tag.empty()) op["tags"] = json::array{route.options().tag};
    op["x-access"] = http::AccessName(route.access());
    json::array parameters;
    for (const auto& segment : route.segments()) {
        if (segment.kind == http::Route::Segment::kLiteral) continue;
        parameters.push_back(json::object{
            {"name", segment.text}, {"in", "path"}, {"required", true}, {"schema", json::object{{"type", "string"}}}});
    }
    for (const auto& param : route.options().query) parameters.push_back(QueryParameter(param));
    if (!parameters.empty()) op["parameters"] = std::move(parameters);
    if (const auto& body = route.options().body) {
        const json::value schema =
            body->free_form ? json::value(json::object{}) : json::value(http::BodyJsonSchema(*body));
        json::object media{{"schema", schema}};
        if (!body->example.is_null()) media["example"] = body->example;
        op["requestBody"] = json::object{{"required", !body->optional},
                                         {"content", json::object{{body->media_type, std::move(media)}}}};
    }
    op["responses"] = Responses(route);
    if (route.access() == http::Access::kPublic) {
        op["security"] = json::array{};
    } else {
        // Any of: a JWT from login, an API token, or a token from the OAuth2 password flow (also a JWT).
        op["security"] = json::array{json::object{{"bearer", json::array{}}}, json::object{{"apiToken", json::array{}}},
                                     json::object{{"oauth2", json::array{}}}};
    }
    return op;
}

json::object SecuritySchemes() {
    return json::object{
        {"bearer", json::object{{"type", "http"},
                                {"scheme", "bearer"},
                                {"bearerFormat", "JWT"},
                                {"description", "Access token from POST /api/v1/auth/login (Authorization: Bearer)"}}},
        {"apiToken",
         json::object{{"type", "http"},
                      {"scheme", "bearer"},
                      {"description", "API token from POST /api/v1/api-tokens (Authorization: Bearer gha_...)"}}},
        {"oauth2", json::object{{"type", "oauth2"},
                                {"description", "OAuth2 password flow: the form login of POST /api/v1/auth/token"},
                                {"flows", json::object{{"password", json::object{{"tokenUrl", "/api/v1/auth/token"},
                                                                                 {"scopes", json::object{}}}}}}}}};
}

}  // namespace

std::string RenderOpenApi(const http::Router& router) {
    json::object paths;
    for (const auto& route : router.routes()) {
        auto& item = paths[OpenApiPath(route)];
        if (!item.is_object()) item = json::object{};
        std::string method(http::beast_http::to_string(route.method()));
        for (char& ch : method) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        item.as_object()[method] = Operation(route);
    }
    json::array tags;
    std::vector<std::string> seen;
    for (const auto& route : router.routes()) {
        const auto& tag = route.options().tag;
        if (tag.empty() || std::find(seen.begin(), seen.end(), tag) != seen.end()) continue;
        seen.push_back(tag);
        tags.push_back(json::object{{"name", tag}, {"description", "Operations on " + tag}});
    }
    json::object problem_schema{
        {"type", "object"},
        {"description", "RFC 9457 problem details; `type` names the kind of error"},
        {"required", json::array{"type", "title", "status"}},
        {"properties", json::object{{"type", json::object{{"type", "string"}}},
                                    {"title", json::object{{"type", "string"}}},
                                    {"status", json::object{{"type", "integer"}}},
                                    {"detail", json::object{{"type", "string"}}},
                                    {"errors", json::object{{"type", "object"}}},
                                    {"kind", json::object{{"type", "string"},
                                                          {"description",
                                                           "Why, within the status (502/503 "
                                                           "of a monitored database: "
                                                           "unreachable, auth_failed, ...)"}}}}}};
    json::object schemas = ResponseSchemas();
    schemas["Problem"] = std::move(problem_schema);
    json::object document{
        {"openapi", "3.1.0"},
        {"info", json::object{{"title", "gatehouse"},
                              {"version", core::kVersion},
                              {"license",
                               json::object{{"name", "All rights reserved"}, {"identifier", "LicenseRef-Proprietary"}}},
                              {"description", "Control plane for a fleet of Linux and PostgreSQL servers."}}},
        {"servers", json::array{json::object{{"url", "/"}, {"description", "This gatehouse"}}}},
        {"tags", std::move(tags)},
        {"paths", std::move(paths)},
        {"components", json::object{{"schemas", std::move(schemas)}, {"securitySchemes", SecuritySchemes()}}}};
    return core::JsonText(document);
}

}  // namespace gatehouse::api
