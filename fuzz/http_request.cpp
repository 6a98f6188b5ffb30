// Raw bytes as one TCP connection to the real http::Server (RunSession, ServerCore::Admit/Handle, the router and
// the limits), started once per process on 127.0.0.1 port 0 with small limits and the routes below. The input is
// written, the connection half-closed, and the answer read until the server closes it, or until it has been quiet
// for 150 ms: then the connection is reset (the server holds a half-closed connection with an incomplete request
// until its read timeout, and a WebSocket for its close timeout; waiting that out would leave a few executions a
// second). The answer is empty (there was no complete request) or starts with an HTTP/1.x response that is never a
// 500 (which would mean an exception escaped a handler). Every 256 inputs a plain GET must still be answered within
// 10 s on a fresh connection, so a wedged server is a finding.

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <thread>

#include "api/json_fields.hpp"
#include "core/errc.hpp"
#include "core/io_pool.hpp"
#include "core/log.hpp"
#include "fuzz_check.hpp"
#include "http/gatekeeper.hpp"
#include "http/json_body.hpp"
#include "http/problem.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "http/websocket.hpp"
#include "metrics/registry.hpp"

namespace {

namespace asio = boost::asio;
using namespace gatehouse;
using http::Access;
using http::RequestContext;
using http::Response;
using http::Verb;

/// Bearer viewer|operator|admin is that role; anything else is nobody.
class FuzzGatekeeper final : public http::Gatekeeper {
  public:
    asio::awaitable<void> Admit(RequestContext& context) override {
        const auto token = context.Header("Authorization");
        const Access role = token == "Bearer admin"      ? Access::kAdmin
                            : token == "Bearer operator" ? Access::kOperator
                            : token == "Bearer viewer"   ? Access::kViewer
                                                         : Access::kPublic;
        if (role == Access::kPublic) throw core::Error(core::errc::unauthenticated, "no valid token");
        if (role < context.route->access()) throw core::Error(core::errc::forbidden, "role too low");
        context.caller = std::make_shared<Access>(role);
        co_return;
    }
    std::function<bool()> Watch(const RequestContext&) override {
        return [] { return true; };
    }
    void Completed(const RequestContext&, unsigned status) override { FUZZ_CHECK(status >= 100 && status < 600); }
};

Response Ok(const boost::json::object& body) { return http::Json(http::Status::ok, body); }

asio::awaitable<void> Echo(http::WebSocket& ws) {
    for (;;) {
        auto message = co_await ws.Receive();
        if (!message) break;
        if (!co_await ws.Send(std::move(*message))) break;
    }
}

asio::awaitable<std::optional<std::string>> NextPiece(std::shared_ptr<int> left) {
    if (*left == 0) co_return std::nullopt;
    co_return "piece " + std::to_string((*left)--) + "\n";
}

void AddRoutes(http::Router& router) {
    using Context = RequestContext&;
    router.Add({Verb::get, "/plain", Access::kPublic,
                [](Context) -> asio::awaitable<Response> {
                    co_return Ok({{"ok", true}});
                },
                "plain"});
    router.Add({Verb::get, "/items/{id}", Access::kPublic,
                [](Context c) -> asio::awaitable<Response> {
                    co_return Ok({{"id", c.Param("id")}, {"q", api::OptionalJson(c.Query("q"))}});
                },
                "item",
                http::RouteOptions{
                    .query = {http::StringQuery("q", "any text"), http::IntQuery("n", "a bounded integer", 0, 100)}}});
    router.Add({Verb::put, "/items/{id}", Access::kOperator,
                [](Context c) -> asio::awaitable<Response> {
                    const auto& value = http::ParseJsonBody(c);
                    const auto& body = api::RequireObject(value);
                    api::OnlyFields(body, {"command"});
                    co_return Ok({{"id", c.Param("id")}, {"command", api::RequireString(body, "command", 64)}});
                },
                "put item"});
    router.Add({Verb::delete_, "/items/{id}", Access::kAdmin,
                [](Context) -> asio::awaitable<Response> { co_return api::NoContent(); }, "delete item"});
    router.Add({Verb::get, "/files/{path...}", Access::kPublic,
                [](Context c) -> asio::awaitable<Response> {
                    co_return Ok({{"path", c.Param("path")}});
                },
                "files"});
    router.Add({Verb::post, "/echo", Access::kPublic,
                [](Context c) -> asio::awaitable<Response> {
                    const auto& value = http::ParseJsonBody(c);
                    const auto& body = api::RequireObject(value);
                    api::OnlyFields(body, {"name", "enabled"});
                    co_return Ok({{"name", api::OptionalJson(api::OptionalString(body, "name", 64))},
                                  {"enabled", api::OptionalBool(body, "enabled").value_or(false)}});
                },
                "echo", http::RouteOptions{.max_body_bytes = 256}});
    router.Add({Verb::post, "/form", Access::kPublic,
                [](Context c) -> asio::awaitable<Response> {
                    co_return Ok({{"a", api::OptionalJson(http::FormValue(c.request.body(), "a"))}});
                },
                "form"});
    router.Add({Verb::get, "/stream", Access::kPublic,
                [](Context c) -> asio::awaitable<Response> {
                    c.body_source = [left = std::make_shared<int>(3)] { return NextPiece(left); };
                    co_return Response{http::Status::ok, 11};
                },
                "stream"});
    router.Add({Verb::get, "/ws", Access::kPublic,
                [](Context c) -> asio::awaitable<Response> {
                    c.upgrade = Echo;
                    co_return Response{};
                },
                "ws", http::RouteOptions{.websocket = true}});
    router.Add({Verb::get, "/private/ws", Access::kViewer,
                [](Context c) -> asio::awaitable<Response> {
                    c.upgrade = Echo;
                    co_return Response{};
                },
                "private ws", http::RouteOptions{.websocket = true}});
}

struct Fixture {
    core::IoContextPool pool{1};
    metrics::Registry registry;
    http::Router router;
    FuzzGatekeeper gatekeeper;
    std::unique_ptr<http::Server> server;
    std::thread thread;
    std::uint16_t port = 0;

    Fixture() {
        AddRoutes(router);
        http::ServerSettings settings;
        settings.access_log = false;
        settings.http.max_header_bytes = 1024;
        settings.http.max_body_bytes = 1024;
        settings.http.read_timeout_s = 1;
        settings.http.idle_timeout_s = 1;
        settings.cors_origins = {"https://app.example"};
        settings.trusted_proxies = {"127.0.0.1"};
        settings.gatekeeper = &gatekeeper;
        server = std::make_unique<http::Server>(pool, settings, router, registry);
        port = server->Listen("127.0.0.1", 0).port();
        server->Start([](const std::string& reason) {
            std::fprintf(stderr, "accept loop failed: %s\n", reason.c_str());
            std::abort();
        });
        thread = std::thread([this] { pool.Run(); });
    }
};

Fixture* fixture = nullptr;

/// A connected socket. A refused or failed connect is tried again for a while (the listen queue may be full for a
/// moment); one that keeps failing is a finding.
int Connect(std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int error = 0;
    for (int attempt = 0; attempt < 200; ++attempt) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        FUZZ_CHECK(fd >= 0);
        if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) return fd;
        error = errno;
        ::close(fd);
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::fprintf(stderr, "cannot connect for 2 s: %s; %zu connections open\n", std::strerror(error),
                 fixture->server->open_connections());
    std::abort();
}

/// Writes `input`, half-closes, and reads until the server closes, or (when `quiet` is not zero) until nothing came
/// for `quiet`. Aborts when the server neither closes nor goes quiet within 10 s. Stops writing when the server
/// stops reading.
std::string Exchange(std::uint16_t port, std::string_view input, std::chrono::milliseconds quiet) {
    const int fd = Connect(port);
    while (!input.empty()) {
        const auto n = ::send(fd, input.data(), input.size(), MSG_NOSIGNAL);
        if (n <= 0) break;
        input.remove_prefix(static_cast<std::size_t>(n));
    }
    ::shutdown(fd, SHUT_WR);
    std::string answer;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        const auto wait = quiet.count() > 0 ? std::min(left, quiet) : left;
        pollfd readable{fd, POLLIN, 0};
        if (left.count() <= 0 || (::poll(&readable, 1, static_cast<int>(wait.count())) == 0 && wait == left)) {
            std::fprintf(stderr, "the server neither answered nor closed within 10 s\n");
            std::abort();
        }
        if ((readable.revents & (POLLIN | POLLHUP | POLLERR)) == 0) break;  // quiet: give up on this connection
        char buffer[65536];
        const auto n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) break;  // closed (or reset after a refusal)
        answer.append(buffer, static_cast<std::size_t>(n));
    }
    // Close with a reset: it ends a connection the server still holds, and leaves no TIME_WAIT behind.
    const linger reset{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    ::close(fd);
    return answer;
}

void CheckAnswer(const std::string& answer) {
    if (answer.empty()) return;
    FUZZ_CHECK(answer.starts_with("HTTP/1.1 ") || answer.starts_with("HTTP/1.0 "));
    FUZZ_CHECK(answer.size() >= 12);
    FUZZ_CHECK(answer.compare(9, 3, "500") != 0);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    core::InitLogging("error");
    fixture = new Fixture();  // never destroyed: the server lives as long as the process
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    CheckAnswer(Exchange(fixture->port, fuzz::AsText(data, size), std::chrono::milliseconds(150)));
    static unsigned runs = 0;
    if (++runs % 256 == 0) {
        const auto answer =
            Exchange(fixture->port, "GET /plain HTTP/1.1\r\nHost: fuzz\r\n\r\n", std::chrono::milliseconds(0));
        FUZZ_CHECK(answer.starts_with("HTTP/1.1 200 "));
    }
    return 0;
}
