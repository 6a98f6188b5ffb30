#include "http/test_server.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <future>
#include <mutex>
#include <stdexcept>

#include "core/worker_pool.hpp"
#include "http/websocket.hpp"

namespace gatehouse::testing {
namespace {

namespace asio = boost::asio;
using http::Response;
using http::Status;

/// Counts a handler as finished however it ends (return, throw, cancellation).
struct FinishedGuard {
    std::shared_ptr<std::atomic<int>> counter;
    ~FinishedGuard() { counter->fetch_add(1); }
};

Response Ok() {
    Response response{Status::ok, 11};
    response.body() = "ok";
    return response;
}

asio::awaitable<void> Echo(http::WebSocket& ws) {
    for (;;) {
        auto message = co_await ws.Receive();
        if (!message) break;
        const bool sent = co_await ws.Send(std::move(*message));
        if (!sent) break;
    }
}

asio::awaitable<void> ReceiveUntilGone(http::WebSocket& ws, std::shared_ptr<bool> gone) {
    for (;;) {
        auto message = co_await ws.Receive();
        if (!message) break;
    }
    *gone = true;  // the WebSocket is not touched after its Receive said the client left
}

http::Route WebSocketRoute(std::string pattern, http::Handler handler) {
    // What the tests send: pieces to stream (n, fail_at), and parameters the access log must show or hide.
    http::RouteOptions options;
    options.query = {http::IntQuery("n", "pieces or messages", 0, 1000000),
                     http::IntQuery("fail_at", "piece that throws", -1, 1000000), http::StringQuery("x", "any"),
                     http::StringQuery("access_token", "never logged")};
    return http::Route(http::Verb::get, std::move(pattern), http::Access::kPublic, std::move(handler), "test",
                       std::move(options));
}

/// A streamed body of `count` pieces "piece 0\n", "piece 1\n", ...; throws instead of piece `fail_at`.
struct Pieces {
    int next = 0;
    int count = 0;
    int fail_at = -1;
};

asio::awaitable<std::optional<std::string>> NextPiece(std::shared_ptr<Pieces> pieces) {
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);  // a real suspension each time
    if (pieces->next == pieces->fail_at) throw std::runtime_error("the source failed");
    if (pieces->next == pieces->count) co_return std::nullopt;
    co_return "piece " + std::to_string(pieces->next++) + "\n";
}

int QueryInt(const http::RequestContext& context, std::string_view name, int fallback) {
    const auto text = context.Query(name);
    return text ? std::stoi(*text) : fallback;
}

void AddRoutes(http::Router& router, std::shared_ptr<std::atomic<int>> finished) {
    router.Add(WebSocketRoute("/stream", [](http::RequestContext& context) -> asio::awaitable<Response> {
        auto pieces = std::make_shared<Pieces>();
        pieces->count = QueryInt(context, "n", 3);
        pieces->fail_at = QueryInt(context, "fail_at", -1);
        context.body_source = [pieces] { return NextPiece(pieces); };
        Response response = Ok();
        response.body() = "this body is ignored";
        co_return response;
    }));
    router.Add(WebSocketRoute("/plain", [](http::RequestContext&) -> asio::awaitable<Response> { co_return Ok(); }));
    router.Add(WebSocketRoute("/ws/echo", [finished](http::RequestContext& context) -> asio::awaitable<Response> {
        context.upgrade = [finished](http::WebSocket& ws) -> asio::awaitable<void> {
            FinishedGuard guard{finished};
            co_await Echo(ws);
        };
        co_return Ok();
    }));
    router.Add(WebSocketRoute("/ws/count", [finished](http::RequestContext& context) -> asio::awaitable<Response> {
        const int n = std::stoi(context.Query("n").value_or("3"));
        context.upgrade = [finished, n](http::WebSocket& ws) -> asio::awaitable<void> {
            FinishedGuard guard{finished};
            for (int i = 0; i < n; ++i) {
                std::string message = "message " + std::to_string(i);
                const bool sent = co_await ws.Send(std::move(message));
                if (!sent) co_return;
            }
            std::string reason = "done after " + std::to_string(n);
            co_await ws.Close(4000, std::move(reason));
        };
        co_return Ok();
    }));
    router.Add(WebSocketRoute("/ws/throw", [finished](http::RequestContext& context) -> asio::awaitable<Response> {
        context.upgrade = [finished](http::WebSocket& ws) -> asio::awaitable<void> {
            FinishedGuard guard{finished};
            co_await ws.Send("about to fail");
            throw std::runtime_error("handler failed on purpose");
        };
        co_return Ok();
    }));
    router.Add(WebSocketRoute("/ws/park", [finished](http::RequestContext& context) -> asio::awaitable<Response> {
        context.upgrade = [finished](http::WebSocket& ws) -> asio::awaitable<void> {
            FinishedGuard guard{finished};
            const auto executor = co_await asio::this_coro::executor;
            // Parked on a wait of its own; its Receive loop wakes it when the connection ends.
            auto timer = std::make_shared<asio::steady_timer>(executor, std::chrono::hours(1));
            asio::co_spawn(
                executor,
                [&ws, timer]() -> asio::awaitable<void> {
                    for (;;) {
                        auto message = co_await ws.Receive();
                        if (!message) break;
                    }
                    timer->cancel();
                },
                asio::detached);
            boost::system::error_code ignored;
            co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        };
        co_return Ok();
    }));
    router.Add(WebSocketRoute("/ws/flood", [finished](http::RequestContext& context) -> asio::awaitable<Response> {
        context.upgrade = [finished](http::WebSocket& ws) -> asio::awaitable<void> {
            FinishedGuard guard{finished};
            const std::string chunk(60 * 1024, 'f');
            for (;;) {
                std::string message = chunk;
                const bool sent = co_await ws.Send(std::move(message));
                if (!sent) break;
            }
        };
        co_return Ok();
    }));
    router.Add(WebSocketRoute("/ws/offload", [finished](http::RequestContext& context) -> asio::awaitable<Response> {
        context.upgrade = [finished](http::WebSocket& ws) -> asio::awaitable<void> {
            FinishedGuard guard{finished};
            // Blocking work on a pool, the way handlers read the database, while the client may leave.
            static core::WorkerPool pool("ws-test", 2, 1000);
            const auto executor = co_await asio::this_coro::executor;
            auto gone = std::make_shared<bool>(false);
            asio::co_spawn(executor, ReceiveUntilGone(ws, gone), asio::detached);
            for (int i = 0; i < 2000 && !*gone; ++i) {
                const int n = co_await core::Offload(pool, [i] { return i; });
                const bool sent = co_await ws.Send(std::to_string(n));
                if (!sent) break;
            }
        };
        co_return Ok();
    }));
    router.Add(WebSocketRoute("/ws/push", [finished](http::RequestContext& context) -> asio::awaitable<Response> {
        context.upgrade = [finished](http::WebSocket& ws) -> asio::awaitable<void> {
            FinishedGuard guard{finished};
            const auto executor = co_await asio::this_coro::executor;
            auto gone = std::make_shared<bool>(false);
            asio::co_spawn(executor, ReceiveUntilGone(ws, gone), [](std::exception_ptr error) {
                if (error) std::rethrow_exception(error);  // a test bug: let it be loud
            });
            asio::steady_timer timer(executor);
            while (!*gone) {
                timer.expires_after(std::chrono::milliseconds(20));
                co_await timer.async_wait(asio::use_awaitable);
                const bool sent = co_await ws.Send("tick");
                if (!sent) break;
            }
        };
        co_return Ok();
    }));
}

}  // namespace

TestServer::TestServer(config::TlsConfig tls) {
    AddRoutes(router_, finished_);
    http::ServerSettings settings;
    settings.access_log = true;
    settings.tls = std::move(tls);
    server_ = std::make_unique<http::Server>(pool_, settings, router_, registry_);
    port_ = server_->Listen("127.0.0.1", 0).port();
    server_->Start();
    thread_ = std::thread([this] { pool_.Run(); });
}

TestServer::~TestServer() {
    if (!shut_down_) Shutdown(std::chrono::seconds(2));
    pool_.Stop();
    thread_.join();
}

std::chrono::milliseconds TestServer::Shutdown(std::chrono::milliseconds grace) {
    shut_down_ = true;
    const auto started = std::chrono::steady_clock::now();
    std::promise<void> done;
    asio::co_spawn(pool_.First(), server_->Shutdown(grace), [&done](std::exception_ptr) { done.set_value(); });
    done.get_future().wait();
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
}

struct HttpClient::Impl {
    asio::io_context io;
    asio::ip::tcp::socket socket{io};
    boost::beast::flat_buffer buffer;
};

HttpClient::HttpClient(std::uint16_t port) : impl_(std::make_unique<Impl>()) {
    impl_->socket.connect({asio::ip::make_address("127.0.0.1"), port});
}

HttpClient::~HttpClient() = default;

HttpReply HttpClient::Get(const std::string& target) {
    namespace bh = boost::beast::http;
    bh::request<bh::empty_body> request{bh::verb::get, target, 11};
    request.set(bh::field::host, "127.0.0.1");
    bh::write(impl_->socket, request);
    bh::response<bh::string_body> response;
    bh::read(impl_->socket, impl_->buffer, response);
    return {response.result_int(), std::string(response[bh::field::content_type]),
            std::string(response[bh::field::upgrade]), response.body(),
            std::string(response[bh::field::transfer_encoding])};
}

struct LogCapture::Sink final : spdlog::sinks::base_sink<std::mutex> {
    std::vector<std::string> Copy() {
        std::lock_guard lock(mutex_);
        return lines;
    }

  protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        lines.emplace_back(msg.payload.data(), msg.payload.size());
    }
    void flush_() override {}

  private:
    std::vector<std::string> lines;
};

LogCapture::LogCapture() : sink_(std::make_shared<Sink>()), previous_(spdlog::default_logger()) {
    auto logger = std::make_shared<spdlog::logger>("capture", sink_);
    logger->set_level(spdlog::level::info);
    spdlog::set_default_logger(logger);
}

LogCapture::~LogCapture() { spdlog::set_default_logger(previous_); }

std::vector<std::string> LogCapture::Lines() const { return sink_->Copy(); }

std::string LogCapture::WaitFor(const std::string& text, std::chrono::milliseconds limit) const {
    std::string found;
    Eventually(
        [&] {
            for (const auto& line : Lines())
                if (line.find(text) != std::string::npos) found = line;
            return !found.empty();
        },
        limit);
    return found;
}

}  // namespace gatehouse::testing
