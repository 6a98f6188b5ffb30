#pragma once

#include <boost/asio/awaitable.hpp>

#include "auth/principal.hpp"
#include "http/types.hpp"

namespace gatehouse::http {

/// What the server asks of identity and audit, without knowing either.
class Gatekeeper {
  public:
    virtual ~Gatekeeper() = default;
    /// Who is calling a protected route. Throws core::Error(unauthenticated) when nobody valid is.
    virtual boost::asio::awaitable<auth::Principal> Authenticate(RequestContext& context) = 0;
    /// Called once for every request that reached a route, with the status it was answered with.
    /// Must not block.
    virtual void Completed(const RequestContext& context, unsigned status) = 0;
};

}  // namespace gatehouse::http
