#pragma once
// Serves the single-page web app at `/`: hashed assets cached for good, index.html for every client-side route,
// a strict Content-Security-Policy. Paths under the first segment of any of the server's routes (/api, /gw, /docs,
// ...) keep their 404.

#include <string>

#include "http/router.hpp"

namespace gatehouse::webui {

/// The server's fallback route (http::ServerSettings::fallback): GET and HEAD that no route of `routes` matched.
/// `dir` empty: the assets embedded in the binary; otherwise a ui/build.sh output directory read per request.
http::Route WebUiRoute(std::string dir, const http::Router& routes);

}  // namespace gatehouse::webui
