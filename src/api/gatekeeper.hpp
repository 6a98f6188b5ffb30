#pragma once

#include "audit/audit_log.hpp"
#include "auth/identity_service.hpp"
#include "http/gatekeeper.hpp"

namespace gatehouse::api {

/// Bearer authentication through the identity service, and one audit event for every
/// state-changing request and every refusal on a protected route.
class ApiGatekeeper final : public http::Gatekeeper {
  public:
    ApiGatekeeper(auth::IdentityService& identity, audit::AuditLog& audit) : identity_(identity), audit_(audit) {}

    boost::asio::awaitable<auth::Principal> Authenticate(http::RequestContext& context) override;
    void Completed(const http::RequestContext& context, unsigned status) override;

  private:
    auth::IdentityService& identity_;
    audit::AuditLog& audit_;
};

/// The bearer token of `Authorization: Bearer <token>`, or nullopt when absent or malformed.
std::optional<std::string> BearerToken(const http::RequestContext& context);

}  // namespace gatehouse::api
