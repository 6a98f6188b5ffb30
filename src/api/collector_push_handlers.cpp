#include "api/collector_push_handlers.hpp"

#include "api/collector_json.hpp"
#include "api/gatekeeper.hpp"
#include "api/json_fields.hpp"
#include "core/errc.hpp"
#include "http/json_body.hpp"
#include "http/problem.hpp"

namespace gatehouse::api {

using http::Response;
using http::Status;

namespace {

core::Error Refused(core::errc code, std::string detail, std::string kind) {
    core::Error error(code, std::move(detail));
    error.Kind(std::move(kind));
    return error;
}

}  // namespace

std::string CollectorPushHandlers::Authentic(const http::RequestContext& context, bool token_required) const {
    if (context.peer_certificate.empty())
        throw Refused(core::errc::unauthenticated, "a client certificate is required", "certificate_missing");
    // Checked on every request, not only at the handshake: a resumed TLS session skips the handshake's check.
    const auto id = collectors.CollectorOf(context.peer_certificate);
    if (!id)
        throw Refused(core::errc::unauthenticated,
                      "this client certificate belongs to no live collector (deleted or expired)",
                      "certificate_unknown");
    if (token_required) {
        const auto bearer = BearerToken(context);
        if (!bearer)
            throw Refused(core::errc::unauthenticated, "send the collector token as Authorization: Bearer",
                          "token_missing");
        const auto named = collectors.VerifyToken(*bearer);
        if (!named)
            throw Refused(core::errc::unauthenticated, "collector token invalid or expired; renew to get a new one",
                          "token_invalid");
        if (*named != *id)
            throw Refused(core::errc::forbidden, "the collector token belongs to another collector", "token_mismatch");
    }
    const auto param = context.Param("id");
    if (!param.empty() && param != *id)
        throw Refused(core::errc::forbidden, "a collector may act only for itself", "wrong_collector");
    return *id;
}

boost::asio::awaitable<Response> CollectorPushHandlers::Push(http::RequestContext& context) const {
    const auto id = Authentic(context, true);
    auto answer = co_await metrics.Push(id, http::ParseJsonBody(context));
    co_return http::Json(Status::ok, answer);
}

boost::asio::awaitable<Response> CollectorPushHandlers::Renew(http::RequestContext& context) const {
    const auto id = Authentic(context, false);
    std::optional<std::string> csr;
    if (!context.request.body().empty()) {
        csr = OptionalString(RequireObject(http::ParseJsonBody(context)), "csr", 16384);
        if (csr && csr->empty()) csr.reset();
    }
    auto registration = co_await collectors.Renew(id, std::move(csr));
    co_return http::Json(Status::ok, RegistrationJson(registration));
}

boost::asio::awaitable<Response> CollectorPushHandlers::Config(http::RequestContext& context) const {
    const auto id = Authentic(context, true);
    auto config = co_await collectors.Config(id);
    co_return ConfigResponse(context, config);
}

}  // namespace gatehouse::api
