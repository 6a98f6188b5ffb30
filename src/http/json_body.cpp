#include "http/json_body.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>

#include "core/errc.hpp"
#include "core/text.hpp"

namespace gatehouse::http {

boost::json::value ParseJsonBody(const RequestContext& context) {
    const auto content_type = context.request[beast_http::field::content_type];
    const auto media = content_type.substr(0, content_type.find(';'));
    if (!core::IEquals(media, "application/json"))
        throw core::Error(core::errc::unsupported_media, "expected Content-Type: application/json");
    boost::json::parse_options options;
    options.max_depth = kMaxJsonDepth;
    boost::system::error_code ec;
    auto value = boost::json::parse(context.request.body(), ec, {}, options);
    if (ec == boost::json::error::too_deep)
        throw core::Error(core::errc::invalid_argument,
                          "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    if (ec) throw core::Error(core::errc::invalid_argument, "malformed JSON: " + ec.message());
    return value;
}

}  // namespace gatehouse::http
