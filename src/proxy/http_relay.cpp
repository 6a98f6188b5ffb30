// One proxied HTTP request: the request streamed to the upstream, the response streamed back.
#include <memory>
#include <vector>

#include "core/errc.hpp"
#include "core/log.hpp"
#include "core/text.hpp"
#include "http/content_codec.hpp"
#include "http/problem.hpp"
#include "proxy/proxy_impl.hpp"
#include "proxy/rewriter.hpp"

namespace gatehouse::proxy {

using http::CanDecode;
using http::DecodeBody;
using http::EncodeBody;

using detail::kTuple;
namespace asio = detail::asio;
namespace beast = detail::beast;
namespace bhttp = detail::bhttp;

namespace {

constexpr std::size_t kChunk = 64 * 1024;

// A body buffer lent for one request. Kept per I/O thread and reused: a 64 KiB array in each coroutine frame made
// every request allocate and free it (and malloc give the memory back to the kernel and fault it in again).
class ChunkLease {
  public:
    ChunkLease() {
        auto& free = FreeList();
        if (free.empty()) {
            data_ = std::make_unique<char[]>(kChunk);
        } else {
            data_ = std::move(free.back());
            free.pop_back();
        }
    }
    ~ChunkLease() {
        auto& free = FreeList();
        if (free.size() < 256) free.push_back(std::move(data_));
    }
    ChunkLease(const ChunkLease&) = delete;
    ChunkLease& operator=(const ChunkLease&) = delete;

    char* data() noexcept { return data_.get(); }
    static constexpr std::size_t size() noexcept { return kChunk; }

  private:
    static std::vector<std::unique_ptr<char[]>>& FreeList() {
        thread_local std::vector<std::unique_ptr<char[]>> free;
        return free;
    }
    std::unique_ptr<char[]> data_;
};

struct Failure {
    http::Status status = http::Status::bad_gateway;
    std::string detail;
    std::string kind;
};

Failure FailureOf(const core::Error& e) {
    return Failure{e.code() == core::errc::timeout ? http::Status::gateway_timeout : http::Status::bad_gateway,
                   e.what(), e.kind()};
}

// Moves the request body from the client to the upstream as it arrives. false when either side failed (`failure`
// says how, for the client, when the client can still be answered).
asio::awaitable<bool> SendBody(http::AnyStream& client, beast::flat_buffer& client_buffer,
                               bhttp::request_parser<bhttp::buffer_body>& parser, http::AnyStream& upstream,
                               bhttp::request_serializer<bhttp::buffer_body>& serializer, std::chrono::seconds timeout,
                               std::uint64_t& bytes, bool& client_failed) {
    auto& request = parser.get();
    ChunkLease chunk;
    while (!parser.is_done()) {
        request.body().data = chunk.data();
        request.body().size = chunk.size();
        client.tcp().expires_after(timeout);
        auto [read_ec, read_n] = co_await bhttp::async_read_some(client, client_buffer, parser, kTuple);
        if (read_ec == bhttp::error::need_buffer) read_ec = {};
        if (read_ec) {
            client_failed = true;
            co_return false;
        }
        const std::size_t got = chunk.size() - request.body().size;
        // A parse step without body bytes (a chunk's header, the last chunk): an empty piece would be written as a
        // last chunk of its own, and the upstream would read the real one as the start of another request.
        if (got == 0 && !parser.is_done()) continue;
        bytes += got;
        request.body().data = got == 0 ? nullptr : chunk.data();
        request.body().size = got;
        request.body().more = !parser.is_done();
        upstream.tcp().expires_after(timeout);
        auto [write_ec, write_n] = co_await bhttp::async_write(upstream, serializer, kTuple);
        if (write_ec == bhttp::error::need_buffer) write_ec = {};
        if (write_ec) co_return false;
    }
    if (!serializer.is_done()) {
        request.body().data = nullptr;
        request.body().size = 0;
        request.body().more = false;
        auto [write_ec, write_n] = co_await bhttp::async_write(upstream, serializer, kTuple);
        if (write_ec == bhttp::error::need_buffer) write_ec = {};
        if (write_ec) co_return false;
    }
    co_return true;
}

// Writes `response`'s header to the client, then its body as the upstream sends it: the header goes out with the
// body's first piece in one write, so a small response costs one system call. false when either side failed.
asio::awaitable<bool> StreamResponse(http::AnyStream& upstream, beast::flat_buffer& upstream_buffer,
                                     bhttp::response_parser<bhttp::buffer_body>& parser, http::AnyStream& client,
                                     std::chrono::seconds timeout, std::uint64_t& bytes, bool& upstream_done,
                                     std::string_view first = {}) {
    auto& response = parser.get();
    bhttp::response_serializer<bhttp::buffer_body> serializer{response};
    ChunkLease chunk;
    while (!serializer.is_done()) {
        if (!first.empty()) {
            // Body bytes read already (a response that turned out too big to rewrite).
            bytes += first.size();
            response.body().data = const_cast<char*>(first.data());
            response.body().size = first.size();
            response.body().more = !parser.is_done();
            first = {};
        } else if (!parser.is_done()) {
            response.body().data = chunk.data();
            response.body().size = chunk.size();
            upstream.tcp().expires_after(timeout);
            auto [read_ec, read_n] = co_await bhttp::async_read_some(upstream, upstream_buffer, parser, kTuple);
            if (read_ec == bhttp::error::need_buffer) read_ec = {};
            if (read_ec) co_return false;
            const std::size_t got = chunk.size() - response.body().size;
            if (got == 0 && !parser.is_done()) continue;
            bytes += got;
            response.body().data = got == 0 ? nullptr : chunk.data();
            response.body().size = got;
            response.body().more = !parser.is_done();
        } else {
            response.body().data = nullptr;
            response.body().size = 0;
            response.body().more = false;
        }
        client.tcp().expires_after(timeout);
        auto [write_ec, write_n] = co_await bhttp::async_write(client, serializer, kTuple);
        if (write_ec == bhttp::error::need_buffer) write_ec = {};
        if (write_ec) co_return false;
    }
    upstream_done = parser.is_done();
    co_return true;
}

// Reads the upstream's response header into a fresh `reading`, skipping interim answers (100 Continue: the proxy's
// business, not the client's).
asio::awaitable<boost::system::error_code> ReadResponseHeader(
    UpstreamConnection& upstream, std::optional<bhttp::response_parser<bhttp::buffer_body>>& reading, bool head,
    std::chrono::seconds timeout) {
    auto stream = upstream.stream();
    // Room for a whole piece per read: a flat_buffer emptied after every read otherwise stays at 512 bytes.
    upstream.buffer.reserve(kChunk);
    for (;;) {
        reading.emplace();
        reading->body_limit(boost::none);
        reading->header_limit(64 * 1024);
        if (head) reading->skip(true);
        stream.tcp().expires_after(timeout);
        auto [ec, n] = co_await bhttp::async_read_header(stream, upstream.buffer, *reading, kTuple);
        if (ec) co_return ec;
        const auto status = reading->get().result_int();
        if (status >= 200 || status == 101) co_return ec;
    }
}

// Reads the response body into `body` until it ends or passes `cap` bytes. false when the upstream failed.
asio::awaitable<bool> ReadBody(http::AnyStream& upstream, beast::flat_buffer& upstream_buffer,
                               bhttp::response_parser<bhttp::buffer_body>& parser, std::string& body, std::size_t cap,
                               std::chrono::seconds timeout) {
    auto& response = parser.get();
    ChunkLease chunk;
    while (!parser.is_done() && body.size() <= cap) {
        response.body().data = chunk.data();
        response.body().size = chunk.size();
        upstream.tcp().expires_after(timeout);
        auto [read_ec, read_n] = co_await bhttp::async_read_some(upstream, upstream_buffer, parser, kTuple);
        if (read_ec == bhttp::error::need_buffer) read_ec = {};
        if (read_ec) co_return false;
        body.append(chunk.data(), chunk.size() - response.body().size);
    }
    co_return true;
}

bool WantsRewrite(const gateway::RouteView& route, const bhttp::response_header<>& response, bool head) {
    const auto status = response.result_int();
    return route.rewrite && !head && status >= 200 && status != 204 && status != 304 &&
           IsRewritable(response[bhttp::field::content_type]) && CanDecode(response[bhttp::field::content_encoding]);
}

}  // namespace

asio::awaitable<bool> GatewayProxy::Impl::RelayHttp(http::LentConnection& connection, detail::Admitted& admitted) {
    const bool has_body = connection.parser.chunked() || connection.parser.content_length().value_or(0) > 0;
    const bool client_keep_alive = connection.parser.get().keep_alive();
    const bool expect_continue =
        has_body && core::IEquals(connection.parser.get()[bhttp::field::expect], "100-continue");
    const bool head = connection.parser.get().method() == bhttp::verb::head;
    bhttp::request_parser<bhttp::buffer_body> request_parser(std::move(connection.parser));
    auto& request = request_parser.get();
    detail::PrepareUpstreamRequest(request.base(), admitted, connection.peer, connection.client_tls, false);
    auto client = connection.stream;
    std::uint64_t bytes_in = 0;
    std::uint64_t bytes_out = 0;
    const auto timeout = options.read_timeout;

    std::unique_ptr<UpstreamConnection> upstream;
    std::optional<bhttp::response_parser<bhttp::buffer_body>> reading;
    std::optional<Failure> failure;
    bool client_failed = false;
    // A reused connection the upstream closed meanwhile fails before any answer: a request without a body is sent
    // again on a new connection (the upstream cannot have acted on it).
    for (int attempt = 0; attempt < 2 && !upstream; ++attempt) {
        try {
            upstream = co_await pool.Acquire(admitted.target, attempt > 0, has_body);
        } catch (const core::Error& e) {
            failure = FailureOf(e);
            break;
        }
        auto stream = upstream->stream();
        bhttp::request_serializer<bhttp::buffer_body> serializer{request};
        request.body().data = nullptr;
        request.body().size = 0;
        request.body().more = has_body;
        stream.tcp().expires_after(timeout);
        auto [header_ec, header_n] = co_await bhttp::async_write_header(stream, serializer, kTuple);
        bool sent = !header_ec;
        if (sent && has_body) {
            if (expect_continue) {
                static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
                auto [ec, n] = co_await asio::async_write(client, asio::buffer(kContinue), kTuple);
                if (ec) co_return false;
            }
            connection.buffer.reserve(kChunk);
            sent = co_await SendBody(client, connection.buffer, request_parser, stream, serializer, timeout, bytes_in,
                                     client_failed);
            if (client_failed) co_return false;
            if (!sent) {
                failure = Failure{http::Status::bad_gateway, "the upstream closed the connection", "reset"};
                upstream.reset();
                break;
            }
        }
        if (!sent) {
            const bool retry = upstream->reused && !has_body;
            upstream.reset();
            if (retry) continue;
            failure = Failure{http::Status::bad_gateway, "the upstream closed the connection", "reset"};
            break;
        }
        const auto read_ec = co_await ReadResponseHeader(*upstream, reading, head, timeout);
        if (!read_ec) break;
        // A reused connection the upstream closed before answering anything: a body-less request goes again.
        const bool retry = upstream->reused && !has_body && !reading->got_some() && read_ec != beast::error::timeout;
        upstream.reset();
        if (retry) continue;
        failure =
            read_ec == beast::error::timeout
                ? Failure{http::Status::gateway_timeout, "the upstream did not answer in time", "timeout"}
                : Failure{http::Status::bad_gateway, "the upstream's answer is not valid HTTP or was cut", "protocol"};
        break;
    }
    if (!upstream) {
        if (!failure) failure = Failure{http::Status::bad_gateway, "the upstream closed the connection", "reset"};
        core::LogWarn("gateway.upstream_failed", {{"route", admitted.route->slug}, {"error", failure->detail}});
        co_return co_await Refuse(connection, failure->status, failure->detail, failure->kind, false);
    }

    auto stream = upstream->stream();
    auto& response_parser = *reading;
    auto& response = response_parser.get();
    detail::PrepareClientResponse(response.base(), admitted.mount, false);
    response.set("X-Request-Id", connection.request_id);
    response.version(11);
    const bool framed = response.has_content_length() || response.chunked() || response_parser.is_done();
    bool keep_alive = client_keep_alive && !connection.stopping.load();
    if (!framed) {
        // Delimited by the upstream closing: chunked to an HTTP/1.1 client, until close to an HTTP/1.0 one.
        if (request.version() >= 11) {
            response.chunked(true);
        } else {
            keep_alive = false;
        }
    }
    response.keep_alive(keep_alive);
    bool upstream_done = false;
    std::string held;  // a body read for rewriting that turned out too big: streamed as it is
    if (WantsRewrite(*admitted.route, response.base(), head)) {
        const auto cap = options.rewrite_max_bytes;
        const auto length = response_parser.content_length();
        bool read_ok = true;
        if (!length || *length <= cap)
            read_ok = co_await ReadBody(stream, upstream->buffer, response_parser, held, cap, timeout);
        if (!read_ok) co_return false;
        if (response_parser.is_done()) {
            const std::string encoding(response[bhttp::field::content_encoding]);
            http::Response rewritten{response.result(), 11};
            rewritten.base() = response.base();
            auto decoded = DecodeBody(encoding, held, cap * 4);
            if (decoded) {
                rewritten.body() = EncodeBody(
                    encoding, RewriteDocument(response[bhttp::field::content_type], admitted.mount, *decoded));
                const auto etag = rewritten[bhttp::field::etag];
                if (!etag.empty() && !etag.starts_with("W/"))
                    rewritten.set(bhttp::field::etag, "W/" + std::string(etag));
            } else {
                core::LogWarn("gateway.rewrite_skipped",
                              {{"route", admitted.route->slug}, {"why", "undecodable body"}});
                rewritten.body() = std::move(held);
            }
            rewritten.erase(bhttp::field::transfer_encoding);
            rewritten.keep_alive(keep_alive);
            rewritten.prepare_payload();
            bytes_out = rewritten.body().size();
            client.tcp().expires_after(timeout);
            auto [ec, n] = co_await bhttp::async_write(client, rewritten, kTuple);
            usage.Record({&admitted.token->entry, connection.peer, request["User-Agent"], bytes_in, bytes_out});
            if (!ec && response_parser.keep_alive()) pool.Release(std::move(upstream));
            co_return !ec && keep_alive;
        }
        core::LogWarn(
            "gateway.rewrite_skipped",
            {{"route", admitted.route->slug}, {"why", "larger than gateway.rewrite_max_bytes"}, {"limit", cap}});
    }
    const bool ok = co_await StreamResponse(stream, upstream->buffer, response_parser, client, timeout, bytes_out,
                                            upstream_done, held);
    usage.Record({&admitted.token->entry, connection.peer, request["User-Agent"], bytes_in, bytes_out});
    if (ok && upstream_done && response_parser.keep_alive()) pool.Release(std::move(upstream));
    co_return ok&& keep_alive;
}

}  // namespace gatehouse::proxy
