#include "http/problem.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "core/errc.hpp"
#include "http/json_body.hpp"

namespace gatehouse::http {
namespace {

TEST(Problem, IsRfc9457) {
    const auto response = Problem(Status::conflict, "name taken", {{"name", "already used"}});
    EXPECT_EQ(response.result(), Status::conflict);
    EXPECT_EQ(response[beast_http::field::content_type], "application/problem+json");
    const auto body = boost::json::parse(response.body()).as_object();
    EXPECT_EQ(body.at("status").as_int64(), 409);
    EXPECT_EQ(body.at("title").as_string(), "Conflict");
    EXPECT_EQ(body.at("detail").as_string(), "name taken");
    EXPECT_EQ(body.at("type").as_string(), "/problems/conflict");
    EXPECT_EQ(body.at("errors").at("name").as_string(), "already used");
}

TEST(Problem, DomainErrorsMapToStatusesAndHideInternals) {
    EXPECT_EQ(StatusFor(core::errc::invalid_argument), Status::bad_request);
    EXPECT_EQ(StatusFor(core::errc::unauthenticated), Status::unauthorized);
    EXPECT_EQ(StatusFor(core::errc::forbidden), Status::forbidden);
    EXPECT_EQ(StatusFor(core::errc::not_found), Status::not_found);
    EXPECT_EQ(StatusFor(core::errc::already_exists), Status::conflict);
    EXPECT_EQ(StatusFor(core::errc::rate_limited), Status::too_many_requests);
    EXPECT_EQ(StatusFor(core::errc::unavailable), Status::service_unavailable);
    const auto response = ProblemFor(core::Error(core::errc::internal, "internal error", "SELECT secret FROM vault"));
    EXPECT_EQ(response.result(), Status::internal_server_error);
    EXPECT_EQ(response.body().find("SELECT"), std::string::npos);
}

Request JsonRequest(std::string body, std::string content_type = "application/json") {
    Request request{Verb::post, "/x", 11};
    request.set(beast_http::field::content_type, content_type);
    request.body() = std::move(body);
    return request;
}

core::errc ParseError(const Request& request) {
    RequestContext context{request, "/x", "", {}, "id", "127.0.0.1", nullptr};
    try {
        ParseJsonBody(context);
    } catch (const core::Error& e) {
        return e.code();
    }
    return core::errc::ok;
}

TEST(JsonBody, IsParsedOncePerRequest) {
    const auto request = JsonRequest(R"({"a": [1, 2, 3]})");
    RequestContext context{request, "/x", "", {}, "id", "127.0.0.1", nullptr};
    const auto& first = ParseJsonBody(context);
    const auto& second = ParseJsonBody(context);
    EXPECT_EQ(&first, &second);  // the server's check and the handler read one value
    EXPECT_EQ(first.at("a").as_array().size(), 3u);
}

TEST(JsonBody, RejectsMalformedDeepAndWrongType) {
    EXPECT_EQ(ParseError(JsonRequest(R"({"a": [1, 2]})")), core::errc::ok);
    EXPECT_EQ(ParseError(JsonRequest(R"({"a": [1, 2]})", "application/json; charset=utf-8")), core::errc::ok);
    EXPECT_EQ(ParseError(JsonRequest("{\"a\": ")), core::errc::invalid_argument);
    EXPECT_EQ(ParseError(JsonRequest(std::string(100000, '[') + std::string(100000, ']'))),
              core::errc::invalid_argument);
    EXPECT_EQ(ParseError(JsonRequest("{}", "text/plain")), core::errc::unsupported_media);
}

}  // namespace
}  // namespace gatehouse::http
