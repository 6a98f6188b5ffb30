// api::ParseMultipart on a fuzzed Content-Type (the input's first line) and body (the rest): no crash, and every
// part it returns lies inside the body it was given.

#include "api/multipart.hpp"

#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace gatehouse;
    auto body = fuzz::AsText(data, size);
    const auto content_type = fuzz::TakeUntil(body, '\n');
    const auto parts = api::ParseMultipart(content_type, body);
    if (!parts) return 0;
    for (const auto& [name, content] : *parts) {
        FUZZ_CHECK(name.size() <= body.size());
        FUZZ_CHECK(content.size() <= body.size());
        FUZZ_CHECK(body.find(content) != std::string_view::npos);
    }
    return 0;
}
