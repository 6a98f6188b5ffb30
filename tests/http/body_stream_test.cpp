// Streamed response bodies (RequestContext::body_source) over loopback: chunked on HTTP/1.1 with the
// connection kept alive after, and a source that fails mid-way cuts the transfer instead of ending it cleanly.
#include <gtest/gtest.h>

#include <boost/system/system_error.hpp>

#include "http/test_server.hpp"

namespace gatehouse::testing {
namespace {

std::string Expected(int count) {
    std::string body;
    for (int i = 0; i < count; ++i) body += "piece " + std::to_string(i) + "\n";
    return body;
}

TEST(BodyStream, SendsEveryPieceChunkedAndKeepsTheConnection) {
    TestServer server;
    HttpClient client(server.port());
    const auto reply = client.Get("/stream?n=500");
    EXPECT_EQ(reply.status, 200u);
    EXPECT_EQ(reply.transfer_encoding, "chunked");
    EXPECT_EQ(reply.body, Expected(500));
    const auto empty = client.Get("/stream?n=0");  // same connection
    EXPECT_EQ(empty.status, 200u);
    EXPECT_EQ(empty.body, "");
    EXPECT_EQ(client.Get("/plain").body, "ok");
}

TEST(BodyStream, AFailingSourceCutsTheTransferAndTheServerGoesOn) {
    LogCapture logs;
    TestServer server;
    HttpClient client(server.port());
    EXPECT_THROW(client.Get("/stream?n=10&fail_at=4"), boost::system::system_error);
    EXPECT_FALSE(logs.WaitFor("http.body_source_failed").empty());
    HttpClient next(server.port());
    EXPECT_EQ(next.Get("/stream?n=2").body, Expected(2));
}

}  // namespace
}  // namespace gatehouse::testing
