#include <boost/json/object.hpp>

#include "core/errc.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "http/detail/server_core.hpp"
#include "http/problem.hpp"

namespace gatehouse::http::detail {
namespace {

bool SaneRequestId(std::string_view id) {
    if (id.empty() || id.size() > 128) return false;
    for (char ch : id)
        if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_' && ch != '.' && ch != ':') return false;
    return true;
}

}  // namespace

ServerCore::ServerCore(const ServerSettings& s, const Router& r, metrics::Registry& registry)
    : settings(s), router(r), metrics(registry), id_prefix_(core::RandomHex(4) + "-") {}

std::shared_ptr<ConnectionHandle> ServerCore::Register(boost::asio::any_io_executor executor, std::uint64_t& id) {
    auto handle = std::make_shared<ConnectionHandle>();
    handle->executor = std::move(executor);
    std::lock_guard lock(mutex_);
    id = next_connection_++;
    connections_.emplace(id, handle);
    return handle;
}

void ServerCore::Unregister(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    connections_.erase(id);
}

void ServerCore::CloseIdleConnections() {
    std::lock_guard lock(mutex_);
    for (auto& [id, handle] : connections_) {
        boost::asio::post(handle->executor, [handle] {
            if (handle->idle && handle->close_if_idle) handle->close_if_idle();
        });
    }
}

std::size_t ServerCore::open_connections() const {
    std::lock_guard lock(mutex_);
    return connections_.size();
}

std::string ServerCore::RequestId(std::string_view from_client) {
    if (SaneRequestId(from_client)) return std::string(from_client);
    // Cheap and unique per process: a random prefix per instance plus a counter.
    char buffer[24];
    const auto n = next_request_.fetch_add(1, std::memory_order_relaxed);
    const int len = std::snprintf(buffer, sizeof buffer, "%012llx", static_cast<unsigned long long>(n));
    return id_prefix_ + std::string(buffer, static_cast<std::size_t>(len));
}

ServerCore::Admission ServerCore::Admit(const beast_http::request_parser<beast_http::string_body>& parser) const {
    Admission admission;
    const auto& header = parser.get();
    const std::string_view target = header.target();
    const std::string_view path = target.substr(0, target.find('?'));
    admission.match = router.Find(header.method(), path);
    if (header.method() == Verb::unknown) {
        admission.early = Problem(Status::bad_request, "unknown request method");
        return admission;
    }
    if (admission.match.kind == RouteMatch::kNotFound) {
        admission.early = Problem(Status::not_found, "no route for " + std::string(path.substr(0, 200)));
    } else if (admission.match.kind == RouteMatch::kMethodNotAllowed) {
        auto response = Problem(Status::method_not_allowed,
                                std::string(header.method_string()) + " is not allowed here; allowed: " + admission.match.allow);
        response.set(beast_http::field::allow, admission.match.allow);
        admission.early = std::move(response);
    }
    const std::size_t route_limit = admission.match.route ? admission.match.route->options().max_body_bytes : 0;
    admission.body_limit = route_limit ? route_limit : settings.http.max_body_bytes;
    if (!admission.early) {
        if (auto length = parser.content_length(); length && *length > admission.body_limit) {
            admission.early = Problem(Status::payload_too_large,
                                      "request body of " + std::to_string(*length) + " bytes exceeds the limit of " +
                                          std::to_string(admission.body_limit) + " bytes");
        }
    }
    return admission;
}

boost::asio::awaitable<Response> ServerCore::Handle(const Request& request, RouteMatch& match,
                                                    const std::string& request_id, const std::string& remote) {
    const std::string_view target = request.target();
    const auto question = target.find('?');
    RequestContext context{request,
                           target.substr(0, question),
                           question == std::string_view::npos ? std::string_view{} : target.substr(question + 1),
                           std::move(match.params),
                           request_id,
                           remote,
                           match.route};
    try {
        co_return co_await match.route->handler()(context);
    } catch (const core::Error& error) {
        if (error.code() == core::errc::internal)
            core::LogError("http.handler_error", {{"request_id", request_id}, {"error", error.internal()}});
        co_return ProblemFor(error);
    } catch (const std::exception& error) {
        core::LogError("http.handler_exception", {{"request_id", request_id}, {"error", error.what()}});
        co_return Problem(Status::internal_server_error, "internal error; see the server log for request " + request_id);
    }
}

void ServerCore::Finish(const Request* request, std::string_view method, std::string_view target, Response& response,
                        const Route* route, const std::string& request_id, const std::string& remote,
                        std::chrono::steady_clock::time_point started) {
    response.set("X-Content-Type-Options", "nosniff");
    response.set("X-Request-Id", request_id);
    const bool head = request && request->method() == Verb::head;
    if (head) {
        const auto length = response.body().size();
        response.body().clear();
        response.content_length(length);
    } else {
        response.prepare_payload();
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const unsigned status = response.result_int();
    metrics.Observe(route, method, status, seconds);
    if (settings.access_log) {
        // The query string is left out: it may carry tokens.
        const std::string_view path = target.substr(0, target.find('?'));
        core::LogInfo("http.request", {{"request_id", request_id},
                                       {"remote", remote},
                                       {"method", method},
                                       {"path", path.substr(0, 512)},
                                       {"route", route ? std::string_view(route->pattern()) : "unmatched"},
                                       {"status", status},
                                       {"bytes", head ? 0 : response.body().size()},
                                       {"duration_us", static_cast<std::int64_t>(seconds * 1e6)}});
    }
}

}  // namespace gatehouse::http::detail
