#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>

#include "http/types.hpp"

namespace gatehouse::http {

/// What the server asks of identity and audit, without knowing either.
class Gatekeeper {
  public:
    virtual ~Gatekeeper() = default;
    /// Admits a request to a protected route: sets `context.caller`, or throws core::Error (unauthenticated when
    /// nobody valid calls, forbidden when the caller's role is below the route's access).
    virtual boost::asio::awaitable<void> Admit(RequestContext& context) = 0;
    /// For a WebSocket a protected route upgraded: a check the connection runs while it lives, false once the
    /// caller's credential was revoked or no longer reaches the route's access. Runs on the connection's
    /// executor: must not block. Empty: nothing to watch.
    virtual std::function<bool()> Watch(const RequestContext& context) = 0;
    /// Called once for every request that reached a route, with the status it was answered with.
    /// Must not block.
    virtual void Completed(const RequestContext& context, unsigned status) = 0;
};

}  // namespace gatehouse::http
