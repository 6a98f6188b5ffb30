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
        op["security"] = json::array{json::object{{"bearer", json::array{}}}};
    }
    return op;
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
                                    {"securitySchemes",
                                     json::object{{"bearer", json::object{{"type", "http"}, {"scheme", "bearer"}}}}}}}};
    return core::JsonText(document);
}

}  // namespace gatehouse::api
