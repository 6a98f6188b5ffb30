#include "http/json_body.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <unordered_set>
#include <vector>

#include "core/errc.hpp"
#include "core/text.hpp"
#include "http/content_codec.hpp"
#include "http/router.hpp"

namespace gatehouse::http {

const boost::json::value& ParseJsonBody(const RequestContext& context) {
    if (context.json_body) return *context.json_body;
    const auto content_type = context.request[beast_http::field::content_type];
    const auto media = content_type.substr(0, content_type.find(';'));
    if (!core::IEquals(media, "application/json"))
        throw core::Error(core::errc::unsupported_media, "expected Content-Type: application/json");
    // A gzip (or br) body is decoded first, with a cap on what it may grow to.
    std::optional<std::string> decoded;
    const auto encoding = context.request[beast_http::field::content_encoding];
    if (!encoding.empty() && !core::IEquals(encoding, "identity")) {
        if (!CanDecode(encoding))
            throw core::Error(core::errc::unsupported_media, "Content-Encoding '" +
                                                                 std::string(encoding.substr(0, 32)) +
                                                                 "' is not supported: send identity, gzip or br");
        decoded = DecodeBody(encoding, context.request.body(), kMaxDecodedBody);
        if (!decoded)
            throw core::Error(core::errc::invalid_argument,
                              "the body is not valid " + std::string(encoding.substr(0, 32)) +
                                  " or decodes to more than " + std::to_string(kMaxDecodedBody >> 20) + " MiB");
    }
    const std::string_view text = decoded ? std::string_view(*decoded) : std::string_view(context.request.body());
    boost::json::parse_options options;
    options.max_depth = kMaxJsonDepth;
    boost::system::error_code ec;
    auto value = boost::json::parse(text, ec, {}, options);
    if (ec == boost::json::error::too_deep)
        throw core::Error(core::errc::invalid_argument,
                          "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    if (ec) throw core::Error(core::errc::invalid_argument, "malformed JSON: " + ec.message());
    if (const auto key = DuplicateKey(text))
        throw core::Error(core::errc::invalid_argument,
                          "duplicate key '" + key->substr(0, 64) + "' in a JSON object: give each field once");
    if (context.route != nullptr && context.route->options().body) CheckBody(*context.route->options().body, value);
    return context.json_body.emplace(std::move(value));
}

std::optional<std::string> DuplicateKey(std::string_view json) {
    struct Frame {
        bool object = false;
        bool expecting_key = false;
        std::unordered_set<std::string> keys;
    };
    std::vector<Frame> frames;
    for (std::size_t i = 0; i < json.size(); ++i) {
        const char ch = json[i];
        if (ch == '{' || ch == '[') {
            frames.push_back(Frame{ch == '{', ch == '{', {}});
        } else if (ch == '}' || ch == ']') {
            if (!frames.empty()) frames.pop_back();
        } else if (ch == ',') {
            if (!frames.empty() && frames.back().object) frames.back().expecting_key = true;
        } else if (ch == '"') {
            // The string runs to the next quote that no backslash escapes.
            const std::size_t start = i;
            bool escaped = false;
            for (++i; i < json.size() && (json[i] != '"' || escaped); ++i) escaped = !escaped && json[i] == '\\';
            if (frames.empty() || !frames.back().object || !frames.back().expecting_key) continue;
            frames.back().expecting_key = false;
            const std::string_view literal = json.substr(start, i - start + 1);
            std::string key(literal.substr(1, literal.size() - 2));
            if (key.find('\\') != std::string::npos) {
                boost::system::error_code ec;
                const auto decoded = boost::json::parse(literal, ec);
                if (!ec && decoded.is_string()) key = std::string(decoded.get_string());
            }
            if (!frames.back().keys.insert(key).second) return key;
        }
    }
    return std::nullopt;
}

}  // namespace gatehouse::http
