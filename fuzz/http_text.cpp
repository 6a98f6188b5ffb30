// The HTTP layer's text helpers on fuzzed input: http::PercentDecode (decoding what it encoded gives it back, a
// decoded text is never longer), http::FormValue (a name=value pair built from fuzzed bytes is found and decodes to
// exactly the value) and Router::Find on fuzzed paths (a match names only the parameters of its pattern; HEAD finds
// whatever GET finds).

#include <fuzzer/FuzzedDataProvider.h>

#include <boost/asio/awaitable.hpp>

#include "fuzz_check.hpp"
#include "http/router.hpp"

namespace {

using namespace gatehouse;

std::string Encode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u)) {
            out.push_back(c);
        } else {
            out += {'%', kHex[u >> 4], kHex[u & 15]};
        }
    }
    return out;
}

http::Router MakeRouter() {
    const http::Handler handler = [](http::RequestContext&) -> boost::asio::awaitable<http::Response> {
        co_return http::Response{};
    };
    http::Router router;
    for (const auto* pattern : {"/", "/api/v1/items", "/api/v1/items/{id}", "/api/v1/items/{id}/runs/{run}",
                                "/api/v1/items/new", "/apps/{id}/proxy/{rest...}", "/files/{path...}"})
        router.Add(http::Route(http::Verb::get, pattern, http::Access::kPublic, handler, "fuzz"));
    router.Add(http::Route(http::Verb::post, "/api/v1/items", http::Access::kOperator, handler, "fuzz"));
    router.Add(http::Route(http::Verb::delete_, "/api/v1/items/{id}", http::Access::kAdmin, handler, "fuzz"));
    return router;
}

void CheckPercentDecode(std::string_view text) {
    std::string decoded;
    if (!http::PercentDecode(text, decoded)) return;
    FUZZ_CHECK(decoded.size() <= text.size());
    std::string again;
    FUZZ_CHECK(http::PercentDecode(Encode(decoded), again) && again == decoded);
}

void CheckFormValue(FuzzedDataProvider& input) {
    const auto name = input.ConsumeRandomLengthString(32);
    const auto value = input.ConsumeRandomLengthString(64);
    const auto noise = input.ConsumeRandomLengthString(64);
    if (name.empty()) return;
    (void)http::FormValue(noise, name);
    // A pair that cannot be the wanted one, then the wanted one encoded: found, and decodes to exactly `value`.
    const auto found = http::FormValue("%00" + Encode(name) + "=x&" + Encode(name) + "=" + Encode(value), name);
    FUZZ_CHECK(found && *found == value);
}

void CheckRouter(std::string_view path) {
    static const http::Router router = MakeRouter();
    const auto get = router.Find(http::Verb::get, path);
    const auto head = router.Find(http::Verb::head, path);
    FUZZ_CHECK(get.kind == head.kind && get.route == head.route);
    if (get.kind == http::RouteMatch::kFound) {
        for (const auto& [name, value] : get.params)
            FUZZ_CHECK(get.route->pattern().find("{" + std::string(name)) != std::string::npos);
    }
    const auto post = router.Find(http::Verb::post, path);
    if (post.kind == http::RouteMatch::kMethodNotAllowed) FUZZ_CHECK(!post.allow.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = fuzz::AsText(data, size);
    CheckPercentDecode(text);
    CheckRouter(text);
    FuzzedDataProvider input(data, size);
    CheckFormValue(input);
    return 0;
}
