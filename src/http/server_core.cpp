#include "http/detail/server_core.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/json/object.hpp>

#include "core/errc.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "http/gatekeeper.hpp"
#include "http/json_body.hpp"
#include "http/problem.hpp"

namespace gatehouse::http::detail {
namespace {

bool SaneRequestId(std::string_view id) {
    if (id.empty() || id.size() > 128) return false;
    for (char ch : id)
        if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_' && ch != '.' && ch != ':')
            return false;
    return true;
}

}  // namespace

ServerCore::ServerCore(const ServerSettings& s, const Router& r, metrics::Registry& registry)
    : settings(s), router(r), metrics(registry), id_prefix_(core::RandomHex(4) + "-") {}

void ConnectionHandle::MarkIdle(bool now_idle) {
    if (now_idle) idle_since.store(std::chrono::steady_clock::now().time_since_epoch().count());
    idle.store(now_idle);
}

std::shared_ptr<ConnectionHandle> ServerCore::Register(boost::asio::any_io_executor executor, std::string address,
                                                       std::uint64_t& id) {
    auto handle = std::make_shared<ConnectionHandle>();
    handle->executor = std::move(executor);
    handle->address = std::move(address);
    std::lock_guard lock(mutex_);
    id = next_connection_++;
    connections_.emplace(id, handle);
    by_address_[handle->address].push_back(id);
    return handle;
}

void ServerCore::Unregister(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    const auto it = connections_.find(id);
    if (it == connections_.end()) return;
    const auto mine = by_address_.find(it->second->address);
    if (mine != by_address_.end()) {
        std::erase(mine->second, id);
        if (mine->second.empty()) by_address_.erase(mine);
    }
    connections_.erase(it);
}

bool ServerCore::TrustedProxy(std::string_view address) const {
    return std::find(settings.trusted_proxies.begin(), settings.trusted_proxies.end(), address) !=
           settings.trusted_proxies.end();
}

std::size_t ServerCore::CloseIdlest(const std::vector<std::uint64_t>& ids, std::size_t count) {
    std::vector<std::pair<std::int64_t, std::shared_ptr<ConnectionHandle>>> idle;
    for (const auto id : ids) {
        const auto it = connections_.find(id);
        if (it == connections_.end()) continue;
        auto& handle = it->second;
        if (handle->idle.load() && !handle->closing.load()) idle.emplace_back(handle->idle_since.load(), handle);
    }
    count = std::min(count, idle.size());
    if (count == 0) return 0;
    std::nth_element(idle.begin(), idle.begin() + static_cast<std::ptrdiff_t>(count - 1), idle.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t i = 0; i < count; ++i) {
        auto handle = idle[i].second;
        handle->closing.store(true);
        boost::asio::post(handle->executor, [handle] {
            // Still idle on its own thread: close it; it took a request meanwhile: let it be.
            if (handle->idle.load() && handle->close_if_idle)
                handle->close_if_idle();
            else
                handle->closing.store(false);
        });
    }
    return count;
}

bool ServerCore::MakeRoom(const std::string& address) {
    std::lock_guard lock(mutex_);
    const auto live = [this](const std::vector<std::uint64_t>& ids) {
        std::size_t n = 0;
        for (const auto id : ids) {
            const auto it = connections_.find(id);
            if (it != connections_.end() && !it->second->closing.load()) ++n;
        }
        return n;
    };
    const auto per_address = static_cast<std::size_t>(settings.http.max_connections_per_address);
    const auto total = static_cast<std::size_t>(settings.http.max_connections);
    // A proxy in front of us speaks for many clients: only the total cap applies to it.
    if (const auto mine = by_address_.find(address); mine != by_address_.end() && !TrustedProxy(address)) {
        const auto open = live(mine->second);
        // Closed a tenth at a time, so a flood from one address costs a scan per tenth, not per connection.
        if (open >= per_address && CloseIdlest(mine->second, std::max<std::size_t>(1, per_address / 10)) == 0)
            return false;
    }
    if (connections_.size() >= total) {
        std::vector<std::uint64_t> all;
        all.reserve(connections_.size());
        for (const auto& [id, handle] : connections_) all.push_back(id);
        if (live(all) >= total && CloseIdlest(all, std::max<std::size_t>(1, total / 100)) == 0) return false;
    }
    return true;
}

void ServerCore::CloseIdleConnections() {
    std::lock_guard lock(mutex_);
    for (const auto& entry : connections_) {
        const auto& handle = entry.second;  // a structured binding cannot be captured before clang 16
        boost::asio::post(handle->executor, [handle] {
            if (handle->close_websocket)
                handle->close_websocket();
            else if (handle->idle.load() && handle->close_if_idle)
                handle->close_if_idle();
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

std::size_t HeaderBlockEnd(std::string_view data) noexcept {
    const auto end = data.find("\r\n\r\n");
    return end == std::string_view::npos ? end : end + 4;
}

bool HasObsoleteFold(std::string_view block) noexcept {
    // A line break followed by a space or tab continues the previous field (the block's own end has no such).
    for (std::size_t at = block.find('\n'); at != std::string_view::npos && at + 1 < block.size();
         at = block.find('\n', at + 1))
        if (block[at + 1] == ' ' || block[at + 1] == '\t') return true;
    return false;
}

std::string TransferEncodingProblem(const beast_http::request_header<>& header) {
    std::vector<std::string> codings;
    const auto [first, last] = header.equal_range(beast_http::field::transfer_encoding);
    for (auto field = first; field != last; ++field) {
        std::string_view rest = field->value();
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            auto coding = rest.substr(0, comma);
            rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
            while (!coding.empty() && (coding.front() == ' ' || coding.front() == '\t')) coding.remove_prefix(1);
            while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t')) coding.remove_suffix(1);
            if (!coding.empty()) codings.emplace_back(coding);
        }
    }
    if (codings.empty()) {
        if (header.find(beast_http::field::transfer_encoding) != header.end())
            return "an empty Transfer-Encoding is not allowed";
        return {};
    }
    if (header.version() < 11) return "Transfer-Encoding is not allowed in HTTP/1.0 requests";
    if (codings.size() != 1 || !core::IEquals(codings.front(), "chunked"))
        return "unsupported Transfer-Encoding '" + codings.back().substr(0, 64) + "': only chunked is accepted";
    return {};
}

ServerCore::Admission ServerCore::Admit(const beast_http::request_parser<beast_http::string_body>& parser) const {
    Admission admission;
    const auto& header = parser.get();
    // A body whose framing we would read differently from a proxy in front of us is how requests are smuggled:
    // refused, and the connection closed.
    if (auto problem = TransferEncodingProblem(header); !problem.empty()) {
        admission.early = Problem(Status::bad_request, problem);
        admission.close = true;
        return admission;
    }
    const std::string_view target = header.target();
    const std::string_view path = target.substr(0, target.find('?'));
    admission.match = router.Find(header.method(), path);
    if (admission.match.kind == RouteMatch::kNotFound && settings.fallback != nullptr &&
        (header.method() == Verb::get || header.method() == Verb::head)) {
        admission.match.kind = RouteMatch::kFound;
        admission.match.route = settings.fallback;
    }
    if (header.method() == Verb::unknown) {
        admission.early = Problem(Status::bad_request, "unknown request method");
        return admission;
    }
    if (header.method() == Verb::options &&
        header.find(beast_http::field::access_control_request_method) != header.end()) {
        admission.early = Preflight(header, path);
        return admission;
    }
    if (admission.match.kind == RouteMatch::kNotFound) {
        admission.early = Problem(Status::not_found, "no route for " + std::string(path.substr(0, 200)));
    } else if (admission.match.kind == RouteMatch::kMethodNotAllowed) {
        auto response =
            Problem(Status::method_not_allowed,
                    std::string(header.method_string()) + " is not allowed here; allowed: " + admission.match.allow);
        response.set(beast_http::field::allow, admission.match.allow);
        admission.early = std::move(response);
    }
    const std::size_t route_limit = admission.match.route ? admission.match.route->options().max_body_bytes : 0;
    admission.body_limit = route_limit ? route_limit : settings.http.max_body_bytes;
    if (!admission.early) {
        if (auto length = parser.content_length(); length && *length > admission.body_limit) {
            admission.early = Problem(Status::payload_too_large, "request body of " + std::to_string(*length) +
                                                                     " bytes exceeds the limit of " +
                                                                     std::to_string(admission.body_limit) + " bytes");
        }
    }
    return admission;
}

std::string ServerCore::ClientAddress(const Request& request, const std::string& peer) const {
    // X-Forwarded-For is only believed from a trusted proxy (otherwise anyone could name any address and dodge
    // the limits and the audit trail), and read from the right across all its header lines, which together are
    // one list: the right-most address that is not a trusted proxy is the client.
    if (!TrustedProxy(peer)) return peer;
    std::string list;
    const auto [first, last] = request.equal_range("X-Forwarded-For");
    for (auto field = first; field != last; ++field) {
        if (!list.empty()) list += ',';
        list.append(field->value().data(), field->value().size());
    }
    std::string_view rest(list);
    std::string client = peer;
    while (!rest.empty()) {
        const auto comma = rest.rfind(',');
        std::string_view hop = comma == std::string_view::npos ? rest : rest.substr(comma + 1);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(0, comma);
        while (!hop.empty() && (hop.front() == ' ' || hop.front() == '\t')) hop.remove_prefix(1);
        while (!hop.empty() && (hop.back() == ' ' || hop.back() == '\t')) hop.remove_suffix(1);
        if (hop.empty()) continue;
        // Not an address: nothing left of it can be trusted either; the last proxy that spoke is the client.
        boost::system::error_code ec;
        if (hop.size() > 64 || (boost::asio::ip::make_address(std::string(hop), ec), ec)) break;
        client = std::string(hop);
        if (!TrustedProxy(hop)) break;
    }
    return client;
}

bool ServerCore::UpgradeOriginAllowed(const Request& request) const {
    const auto origin_field = request[beast_http::field::origin];
    const std::string_view origin(origin_field.data(), origin_field.size());
    if (origin.empty() || OriginAllowed(origin)) return true;
    // Same origin: "scheme://host[:port]" names the Host the request was sent to.
    const auto scheme_end = origin.find("://");
    if (scheme_end == std::string_view::npos) return false;
    const auto host = request[beast_http::field::host];
    return !host.empty() && core::IEquals(origin.substr(scheme_end + 3), host);
}

boost::asio::awaitable<ServerCore::Handled> ServerCore::Handle(const Request& request, RouteMatch& match,
                                                               const std::string& request_id, const std::string& remote,
                                                               const std::string& peer_certificate) {
    const std::string_view target = request.target();
    const auto question = target.find('?');
    RequestContext context{request,
                           target.substr(0, question),
                           question == std::string_view::npos ? std::string_view{} : target.substr(question + 1),
                           std::move(match.params),
                           request_id,
                           ClientAddress(request, remote),
                           match.route};
    context.peer_certificate = peer_certificate;
    const Route& route = *match.route;
    const bool websocket = boost::beast::websocket::is_upgrade(request);
    Handled handled;
    Response& response = handled.response;
    try {
        if (websocket && !UpgradeOriginAllowed(request))
            throw core::Error(core::errc::forbidden, "WebSocket connections from this origin are not allowed");
        if (route.access() != Access::kPublic) {
            if (!settings.gatekeeper)
                throw core::Error(core::errc::internal, "internal error", "no gatekeeper configured");
            co_await settings.gatekeeper->Admit(context);
        }
        CheckQuery(route, context.query);
        // The body is checked against the route's declaration before the handler runs, so a bad one changes
        // nothing whatever the handler does first. Other media types (multipart) are the handler's to read.
        if (route.options().body) {
            const auto type = context.Header("Content-Type");
            if (!request.body().empty() && core::IEquals(type.substr(0, type.find(';')), "application/json"))
                ParseJsonBody(context);
        } else {
            CheckNoBody(request.body());
        }
        response = co_await route.handler()(context);
        if (context.upgrade && websocket) {
            handled.upgrade = std::move(context.upgrade);
            if (route.access() != Access::kPublic) handled.still_allowed = settings.gatekeeper->Watch(context);
            response = Response{Status::switching_protocols, request.version()};
        } else if (context.upgrade) {
            response = Problem(Status::upgrade_required, "this route only speaks WebSocket; send an upgrade request");
            response.set(beast_http::field::upgrade, "websocket");
        } else {
            handled.body_source = std::move(context.body_source);
        }
    } catch (const core::Error& error) {
        if (error.code() == core::errc::internal)
            core::LogError("http.handler_error", {{"request_id", request_id}, {"error", error.internal()}});
        response = ProblemFor(error);
    } catch (const std::exception& error) {
        core::LogError("http.handler_exception", {{"request_id", request_id}, {"error", error.what()}});
        response =
            Problem(Status::internal_server_error, "internal error; see the server log for request " + request_id);
    }
    if (response.result() == Status::unauthorized) response.set(beast_http::field::www_authenticate, "Bearer");
    // The audit trail's trouble is logged, never answered in place of what the request earned.
    try {
        if (settings.gatekeeper) settings.gatekeeper->Completed(context, response.result_int());
    } catch (const std::exception& error) {
        core::LogError("http.audit_failed", {{"request_id", request_id}, {"error", error.what()}});
    }
    co_return handled;
}

Response ServerCore::Preflight(const beast_http::request_header<>& header, std::string_view path) const {
    const auto origin = header[beast_http::field::origin];
    if (!OriginAllowed(std::string_view(origin.data(), origin.size())))
        return Problem(Status::forbidden, "origin is not allowed to call this API");
    const auto wanted = header[beast_http::field::access_control_request_method];
    const auto match = router.Find(beast_http::string_to_verb(wanted), path);
    if (match.kind == RouteMatch::kNotFound)
        return Problem(Status::not_found, "no route for " + std::string(path.substr(0, 200)));
    Response response{Status::no_content, 11};
    response.set(beast_http::field::access_control_allow_origin, origin);
    response.set(beast_http::field::access_control_allow_credentials, "true");
    response.set(beast_http::field::access_control_allow_methods,
                 match.kind == RouteMatch::kFound ? std::string(wanted) : match.allow);
    response.set(beast_http::field::access_control_allow_headers, "Authorization, Content-Type, X-Request-Id");
    response.set(beast_http::field::access_control_max_age, "600");
    response.set(beast_http::field::vary, "Origin");
    return response;
}

bool ServerCore::OriginAllowed(std::string_view origin) const {
    return !origin.empty() &&
           std::find(settings.cors_origins.begin(), settings.cors_origins.end(), origin) != settings.cors_origins.end();
}

void ServerCore::AddBrowserHeaders(const Request* request, Response& response) const {
    response.set("X-Content-Type-Options", "nosniff");
    response.set("Referrer-Policy", "no-referrer");
    response.set("X-Frame-Options", "DENY");
    if (response.find("Content-Security-Policy") == response.end())
        response.set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    if (ssl) response.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    if (!request) return;
    const auto origin = (*request)[beast_http::field::origin];
    // Credentials are allowed, so the origin is echoed only when it is on the list; never "*".
    if (OriginAllowed(std::string_view(origin.data(), origin.size()))) {
        response.set(beast_http::field::access_control_allow_origin, origin);
        response.set(beast_http::field::access_control_allow_credentials, "true");
        response.set(beast_http::field::access_control_expose_headers, "X-Request-Id, Retry-After");
        response.set(beast_http::field::vary, "Origin");
    }
}

void ServerCore::Finish(const Request* request, std::string_view method, std::string_view target, Response& response,
                        const Route* route, const std::string& request_id, const std::string& remote,
                        std::chrono::steady_clock::time_point started) {
    AddBrowserHeaders(request, response);
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
    if (settings.access_log && core::ShouldLog(spdlog::level::info)) {
        // Formatted by hand: this runs for every request, and a JSON DOM per line costs more than
        // the request itself. The query string is left out: it may carry tokens.
        const std::string_view path = target.substr(0, target.find('?'));
        thread_local std::string line;  // reused: one allocation per thread, not per request
        line.clear();
        line += "{\"ts\":\"";
        line += core::NowRfc3339();
        line += "\",\"level\":\"info\",\"event\":\"http.request\",\"request_id\":";
        core::AppendJsonString(line, request_id);
        line += ",\"remote\":";
        core::AppendJsonString(line, remote);
        line += ",\"method\":";
        core::AppendJsonString(line, method);
        line += ",\"path\":";
        core::AppendJsonString(line, path.substr(0, 512));
        line += ",\"route\":";
        core::AppendJsonString(line, route ? std::string_view(route->pattern()) : "unmatched");
        fmt::format_to(std::back_inserter(line), ",\"status\":{},\"bytes\":{},\"duration_us\":{}}}", status,
                       head ? 0 : response.body().size(), static_cast<std::int64_t>(seconds * 1e6));
        core::LogLine(spdlog::level::info, line);
    }
}

}  // namespace gatehouse::http::detail
