#include "webui/web_ui.hpp"

#include <algorithm>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <fstream>
#include <optional>
#include <sstream>

#include "config/config.hpp"
#include "core/text.hpp"
#include "http/content_codec.hpp"
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

// Paths that mean something else: an unknown one keeps its 404 rather than getting the app.
constexpr std::string_view kReserved[] = {"/api",     "/gw",     "/docs",         "/metrics",
                                          "/healthz", "/readyz", "/openapi.json", "/.well-known"};

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

bool Reserved(std::string_view path) {
    for (auto prefix : kReserved)
        if (UnderPrefix(path, prefix)) return true;
    return false;
}

/// An asset read from a ui/build.sh output directory (development: the files change without a restart).
struct LoadedAsset {
    std::string content_type, etag, gzip, brotli;
    bool immutable = false;
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

/// Whether Accept-Encoding admits `coding` (a q of 0 refuses it; `*` stands for codings not named).
bool Accepts(std::string_view accept_encoding, std::string_view coding) {
    std::optional<bool> named, wildcard;
    for (const auto& item : config::SplitList(std::string(accept_encoding))) {
        const auto semicolon = item.find(';');
        std::string_view name = std::string_view(item).substr(0, semicolon);
        while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
        bool allowed = true;
        if (semicolon != std::string::npos) {
            std::string_view parameter = std::string_view(item).substr(semicolon + 1);
            while (!parameter.empty() && parameter.front() == ' ') parameter.remove_prefix(1);
            if (parameter.starts_with("q=") || parameter.starts_with("Q="))
                allowed = parameter.substr(2).find_first_not_of("0.") != std::string_view::npos;
        }
        if (core::IEquals(name, coding)) named = allowed;
        if (name == "*") wildcard = allowed;
    }
    return named.value_or(wildcard.value_or(false));
}

struct Chosen {
    std::string_view content_type, etag, gzip, brotli;
    bool immutable = false;
};

Response Serve(const http::RequestContext& context, const Chosen& asset) {
    const auto accept = context.Header("Accept-Encoding");
    std::string_view coding;
    std::string_view bytes;
    if (Accepts(accept, "br")) {
        coding = "br";
        bytes = asset.brotli;
    } else if (Accepts(accept, "gzip")) {
        coding = "gzip";
        bytes = asset.gzip;
    }
    // One representation per coding, so one strong validator each.
    std::string etag(asset.etag);
    if (!coding.empty()) etag.insert(etag.size() - 1, "-" + std::string(coding));
    Response response{Status::ok, 11};
    response.set(beast_http::field::vary, "Accept-Encoding");
    response.set(beast_http::field::etag, etag);
    response.set(beast_http::field::cache_control,
                 asset.immutable ? "public, max-age=31536000, immutable" : "no-cache");
    // A 304's headers replace the cached copy's: it must carry the page's own policy, not the API's.
    response.set("Content-Security-Policy", std::string(kPolicy));
    if (context.Header("If-None-Match") == etag) {
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

WebUi::WebUi(std::string dir)
    : dir_(std::move(dir)),
      route_(
          http::Verb::get, "/{path...}", http::Access::kPublic,
          [this](http::RequestContext& context) -> boost::asio::awaitable<Response> {
              const std::string_view path = context.path;
              if (Reserved(path) || !Plain(path)) co_return NotFound(path);
              const bool page = ClientRoute(path) && !path.starts_with("/assets/");
              const std::string_view wanted = page ? std::string_view("/index.html") : path;
              if (dir_.empty()) {
                  for (const auto& asset : EmbeddedAssets()) {
                      if (asset.path != wanted) continue;
                      co_return Serve(context,
                                      {asset.content_type, asset.etag, asset.gzip, asset.brotli, asset.immutable});
                  }
                  co_return NotFound(path);
              }
              const auto loaded = LoadFromDir(dir_, wanted);
              if (!loaded) co_return NotFound(path);
              co_return Serve(context,
                              {loaded->content_type, loaded->etag, loaded->gzip, loaded->brotli, loaded->immutable});
          },
          "The web UI", http::RouteOptions{.tag = "ui", .any_query = true}) {}

}  // namespace gatehouse::webui
