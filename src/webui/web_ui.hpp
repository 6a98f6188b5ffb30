#pragma once
// Serves the single-page web app at `/`: hashed assets cached for good, index.html for every client-side route,
// a strict Content-Security-Policy. Paths that belong to the API and the gateway keep their 404.

#include <string>

#include "http/router.hpp"

namespace gatehouse::webui {

class WebUi {
  public:
    /// `dir` empty: the assets embedded in the binary; otherwise a ui/build.sh output directory read per request.
    explicit WebUi(std::string dir);

    /// The server's fallback route (http::ServerSettings::fallback): GET and HEAD that no route matched.
    const http::Route& route() const noexcept { return route_; }

  private:
    std::string dir_;
    http::Route route_;
};

}  // namespace gatehouse::webui
