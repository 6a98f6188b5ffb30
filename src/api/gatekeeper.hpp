#pragma once

#include "audit/audit_log.hpp"
#include "auth/identity_service.hpp"
#include "http/gatekeeper.hpp"

namespace gatehouse::api {

class RefusalSummary;

/// Bearer authentication through the identity service, role checks against the route table's access, and one
/// audit event for every state-changing request and every refusal on a protected route (repeated refusals from
/// one address summarised, see RefusalSummary).
class ApiGatekeeper final : public http::Gatekeeper {
  public:
    ApiGatekeeper(auth::IdentityService& identity, audit::AuditLog& audit, RefusalSummary& refusals)
        : identity_(identity), audit_(audit), refusals_(refusals) {}

    boost::asio::awaitable<void> Admit(http::RequestContext& context) override;
    std::function<bool()> Watch(const http::RequestContext& context) override;
    void Completed(const http::RequestContext& context, unsigned status) override;

  private:
    auth::IdentityService& identity_;
    audit::AuditLog& audit_;
    RefusalSummary& refusals_;
};

/// Whether `role` is enough for `access`.
bool Allows(auth::Role role, http::Access access) noexcept;

/// The caller of a protected route (set by ApiGatekeeper::Admit).
const auth::Principal& Caller(const http::RequestContext& context);
/// The caller, or null on a public route.
const auth::Principal* MaybeCaller(const http::RequestContext& context);
/// Records who called a public route that checked credentials itself (logout).
void SetCaller(http::RequestContext& context, auth::Principal principal);
/// Whether the caller of a protected route is an admin.
bool IsAdmin(const http::RequestContext& context);

/// The bearer token of `Authorization: Bearer <token>`, or nullopt when absent or malformed.
std::optional<std::string> BearerToken(const http::RequestContext& context);

}  // namespace gatehouse::api
