#include <boost/json/value.hpp>

#include "api/ops_handlers.hpp"
#include "core/build_info.hpp"
#include "core/json_text.hpp"

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
    json::object responses;
    responses["2XX"] = json::object{{"description", "Success"}};
    const json::object problem{
        {"description", "Error (RFC 9457)"},
        {"content", json::object{{"application/problem+json",
                                  json::object{{"schema", json::object{{"$ref", "#/components/schemas/Problem"}}}}}}}};
    responses["default"] = problem;
    op["responses"] = std::move(responses);
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
    json::object problem_schema{{"type", "object"},
                                {"required", json::array{"type", "title", "status"}},
                                {"properties", json::object{{"type", json::object{{"type", "string"}}},
                                                            {"title", json::object{{"type", "string"}}},
                                                            {"status", json::object{{"type", "integer"}}},
                                                            {"detail", json::object{{"type", "string"}}},
                                                            {"errors", json::object{{"type", "object"}}}}}};
    json::object document{
        {"openapi", "3.1.0"},
        {"info", json::object{{"title", "gatehouse"},
                              {"version", core::kVersion},
                              {"description", "Control plane for a fleet of Linux and PostgreSQL servers."}}},
        {"paths", std::move(paths)},
        {"components", json::object{{"schemas", json::object{{"Problem", std::move(problem_schema)}}},
                                    {"securitySchemes", SecuritySchemes()}}}};
    return core::JsonText(document);
}

}  // namespace gatehouse::api
