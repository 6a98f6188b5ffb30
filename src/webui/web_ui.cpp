#include "webui/web_ui.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

#include "core/text.hpp"
#include "http/content_codec.hpp"
#include "http/header_values.hpp"
#include "http/problem.hpp"
#include "webui/assets.hpp"

namespace gatehouse::webui {
namespace {

using http::Response;
using http::Status;
namespace beast_http = boost::beast::http;

// Connections only to this origin (the API and the task streams' WebSockets); no inline script or style, no eval.
constexpr std::string_view kPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; "
    "connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

// The first segments of the server's routes ("/api", "/gw", "/docs", ...): an unknown path under one keeps its 404
// rather than getting the app.
std::vector<std::string> ReservedPrefixes(const http::Router& routes) {
    std::vector<std::string> prefixes;
    for (const auto& route : routes.routes()) {
        const std::string& pattern = route.pattern();
        const auto prefix = pattern.substr(0, pattern.find('/', 1));
        if (prefix.size() > 1 && prefix.find('{') == std::string::npos &&
            std::find(prefixes.begin(), prefixes.end(), prefix) == prefixes.end())
            prefixes.push_back(prefix);
    }
    return prefixes;
}

// Case-insensitive: "/API/v1/..." must not get the app either (the router's 404 stands for it).
bool UnderPrefix(std::string_view path, std::string_view prefix) {
    return path.size() >= prefix.size() && core::IEquals(path.substr(0, prefix.size()), prefix) &&
           (path.size() == prefix.size() || path[prefix.size()] == '/');
}

// The app's own paths are plain: another spelling ("//api/...", "/x/../api", an escape) is nobody's page.
bool Plain(std::string_view path) {
    if (path.find("//") != std::string_view::npos || path.find('%') != std::string_view::npos) return false;
    for (std::size_t start = 1; start <= path.size();) {
        const auto end = std::min(path.find('/', start), path.size());
        const auto segment = path.substr(start, end - start);
        if (segment == "." || segment == "..") return false;
        start = end + 1;
    }
    return true;
}

bool Reserved(const std::vector<std::string>& prefixes, std::string_view path) {
    return std::any_of(prefixes.begin(), prefixes.end(),
                       [path](const std::string& prefix) { return UnderPrefix(path, prefix); });
}

/// An asset read from a ui/build.sh output directory (development: the files change without a restart).
struct LoadedAsset {
    std::string content_type, etag, gzip, brotli;
    bool immutable = false;

    Asset view() const { return {{}, content_type, etag, immutable, gzip, brotli}; }
};

std::optional<std::string> ReadWhole(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return std::move(text).str();
}

std::optional<LoadedAsset> LoadFromDir(const std::string& dir, std::string_view path) {
    const auto manifest_text = ReadWhole(dir + "/manifest.json");
    if (!manifest_text) return std::nullopt;
    boost::system::error_code ec;
    const auto manifest = boost::json::parse(*manifest_text, ec);
    if (ec || !manifest.is_array()) return std::nullopt;
    for (const auto& entry : manifest.as_array()) {
        const auto& item = entry.as_object();
        if (item.at("path").as_string() != path) continue;
        LoadedAsset asset;
        asset.content_type = item.at("content_type").as_string();
        asset.etag = item.at("etag").as_string();
        asset.immutable = item.at("immutable").as_bool();
        // The manifest names only files the build wrote, so a request path never reaches the file system.
        auto gzip = ReadWhole(dir + std::string(path) + ".gz");
        auto brotli = ReadWhole(dir + std::string(path) + ".br");
        if (!gzip || !brotli) return std::nullopt;
        asset.gzip = std::move(*gzip);
        asset.brotli = std::move(*brotli);
        return asset;
    }
    return std::nullopt;
}

Response Serve(const http::RequestContext& context, const Asset& asset) {
    const std::string_view coding = http::PreferredCoding(context.Header("Accept-Encoding"), {"br", "gzip"});
    const std::string_view bytes = coding == "br" ? asset.brotli : asset.gzip;
    // One representation per coding, so one strong validator each.
    std::string etag(asset.etag);
    if (!coding.empty()) etag.insert(etag.size() - 1, "-" + std::string(coding));
    Response response{Status::ok, context.request.version()};
    response.set(beast_http::field::vary, "Accept-Encoding");
    response.set(beast_http::field::etag, etag);
    response.set(beast_http::field::cache_control,
                 asset.immutable ? "public, max-age=31536000, immutable" : "no-cache");
    // A 304's headers replace the cached copy's: it must carry the page's own policy, not the API's.
    response.set("Content-Security-Policy", std::string(kPolicy));
    if (http::IfNoneMatchHits(context.Header("If-None-Match"), etag)) {
        response.result(Status::not_modified);
        return response;
    }
    response.set(beast_http::field::content_type, asset.content_type);
    if (coding.empty()) {
        // Rare (every browser takes br or gzip): decoded here rather than stored a third time.
        auto identity = http::DecodeBody("gzip", asset.gzip, std::size_t{64} << 20);
        if (!identity) return http::Problem(Status::internal_server_error, "the embedded web UI is damaged");
        response.body() = std::move(*identity);
    } else {
        response.set(beast_http::field::content_encoding, coding);
        response.body().assign(bytes.data(), bytes.size());
    }
    return response;
}

// Client-side routes are paths without a file extension in their last segment; anything else names a file.
bool ClientRoute(std::string_view path) {
    const auto last = path.substr(path.rfind('/') + 1);
    return last.find('.') == std::string_view::npos;
}

Response NotFound(std::string_view path) {
    return http::Problem(Status::not_found, "no route for " + std::string(path.substr(0, 200)));
}

}  // namespace

http::Route WebUiRoute(std::string dir, const http::Router& routes) {
    return http::Route(
        http::Verb::get, "/{path...}", http::Access::kPublic,
        [dir = std::move(dir),
         reserved = ReservedPrefixes(routes)](http::RequestContext& context) -> boost::asio::awaitable<Response> {
            const std::string_view path = context.path;
            if (Reserved(reserved, path) || !Plain(path)) co_return NotFound(path);
            const bool page = ClientRoute(path) && !path.starts_with("/assets/");
            const std::string_view wanted = page ? std::string_view("/index.html") : path;
            if (dir.empty()) {
                for (const auto& asset : EmbeddedAssets()) {
                    if (asset.path == wanted) co_return Serve(context, asset);
                }
                co_return NotFound(path);
            }
            const auto loaded = LoadFromDir(dir, wanted);
            if (!loaded) co_return NotFound(path);
            co_return Serve(context, loaded->view());
        },
        "The web UI", http::RouteOptions{.tag = "ui", .any_query = true});
}

}  // namespace gatehouse::webui
