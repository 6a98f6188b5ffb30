// http::ParseJsonBody and the api input helpers (RequireObject, RequireString, OptionalString, OptionalBool,
// OnlyFields, FilterParam, ChoiceParam, PageLimit) on a fuzzed request: the input's first byte picks the
// Content-Type, its first line is the query string, the rest the body. Only core::Error may come out, with a
// client error code; what is accepted respects the limits the helpers were given.

#include "http/json_body.hpp"

#include <algorithm>
#include <array>

#include "api/json_fields.hpp"
#include "core/errc.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace gatehouse;

constexpr std::array<std::string_view, 5> kContentTypes = {"application/json", "application/json; charset=utf-8",
                                                           "APPLICATION/JSON;x", "text/plain", ""};
constexpr std::array<std::string_view, 3> kStates = {"queued", "running", "failed"};

std::size_t Depth(const boost::json::value& value) {
    std::size_t deepest = 0;
    if (value.is_object()) {
        for (const auto& [key, child] : value.as_object()) deepest = std::max(deepest, Depth(child));
        return deepest + 1;
    }
    if (value.is_array()) {
        for (const auto& child : value.as_array()) deepest = std::max(deepest, Depth(child));
        return deepest + 1;
    }
    return 0;
}

void UseQuery(const http::RequestContext& context) {
    try {
        const auto limit = api::PageLimit(context);
        FUZZ_CHECK(limit >= 1 && limit <= 500);
    } catch (const core::Error& e) {
        FUZZ_CHECK(e.code() == core::errc::invalid_argument);
    }
    try {
        const auto state = api::ChoiceParam(context, "state", kStates);
        FUZZ_CHECK(!state || std::find(kStates.begin(), kStates.end(), *state) != kStates.end());
    } catch (const core::Error& e) {
        FUZZ_CHECK(e.code() == core::errc::invalid_argument);
    }
    if (const auto server = api::FilterParam(context, "server")) FUZZ_CHECK(!server->empty());
}

void UseBody(const http::RequestContext& context) {
    try {
        const auto& body = http::ParseJsonBody(context);
        FUZZ_CHECK(Depth(body) <= http::kMaxJsonDepth);
        const auto& object = api::RequireObject(body);
        if (const auto name = api::OptionalString(object, "name", 16)) FUZZ_CHECK(name->size() <= 16);
        (void)api::OptionalBool(object, "enabled");
        FUZZ_CHECK(api::RequireString(object, "command").size() <= 4096);
        api::OnlyFields(object, {"name", "enabled", "command"});
        for (const auto& [key, value] : object) FUZZ_CHECK(key == "name" || key == "enabled" || key == "command");
    } catch (const core::Error& e) {
        FUZZ_CHECK(e.code() == core::errc::invalid_argument || e.code() == core::errc::unsupported_media);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    auto rest = fuzz::AsText(data + 1, size - 1);
    const auto query = fuzz::TakeUntil(rest, '\n');
    http::Request request{http::Verb::post, "/fuzz", 11};
    if (const auto type = kContentTypes[data[0] % kContentTypes.size()]; !type.empty())
        request.set(http::beast_http::field::content_type, type);
    request.body() = std::string(rest);
    http::RequestContext context{request, "/fuzz", query, {}, "fuzz", "127.0.0.1"};
    UseQuery(context);
    UseBody(context);
    return 0;
}
