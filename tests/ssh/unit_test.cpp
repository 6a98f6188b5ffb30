#include <gtest/gtest.h>

#include "ssh/ssh_client.hpp"

namespace gatehouse::ssh {
namespace {

TEST(ShellQuote, WrapsInSingleQuotes) {
    EXPECT_EQ(ShellQuote(""), "''");
    EXPECT_EQ(ShellQuote("abc"), "'abc'");
    EXPECT_EQ(ShellQuote("a b"), "'a b'");
    EXPECT_EQ(ShellQuote("it's"), "'it'\\''s'");
    EXPECT_EQ(ShellQuote("'"), "''\\'''");
    EXPECT_EQ(ShellQuote("$(id) `id` \\ \" ;|&"), "'$(id) `id` \\ \" ;|&'");
    EXPECT_EQ(ShellQuote(std::string_view("a\0b", 3)), std::string("'a\0b'", 5));
}

TEST(Classify, LibsshConnectErrors) {
    // Texts libssh 0.10 produces (ssh_get_error after ssh_connect), see the integration tests.
    EXPECT_EQ(ClassifyConnectError("Failed to resolve hostname nonexistent.invalid (Name or service not known)"),
              FailureKind::dns);
    EXPECT_EQ(ClassifyConnectError("Failed to resolve hostname x (Temporary failure in name resolution)"),
              FailureKind::dns);
    EXPECT_EQ(ClassifyConnectError("Connection refused"), FailureKind::refused);
    EXPECT_EQ(ClassifyConnectError("Failed to connect: Connection refused"), FailureKind::refused);
    EXPECT_EQ(ClassifyConnectError("Timeout connecting to 127.0.0.1"), FailureKind::timeout);
    EXPECT_EQ(ClassifyConnectError("Socket error: Connection timed out"), FailureKind::timeout);
    EXPECT_EQ(ClassifyConnectError("kex error : no match for method server host key algo"), FailureKind::protocol);
    EXPECT_EQ(ClassifyConnectError("Socket error: Connection reset by peer"), FailureKind::protocol);
    EXPECT_EQ(ClassifyConnectError(""), FailureKind::protocol);
}

TEST(Classify, HostNamesInTheMessageDoNotFakeAKind) {
    // The host appears in some messages; words in it must not decide the kind.
    EXPECT_EQ(ClassifyConnectError("Received SSH_MSG_DISCONNECT from refused.example.com"), FailureKind::protocol);
    EXPECT_EQ(ClassifyConnectError("Connection to timeout.example closed by remote host"), FailureKind::protocol);
    EXPECT_EQ(ClassifyConnectError("Protocol mismatch from resolve.example"), FailureKind::protocol);
}

TEST(FailureKind, NamesAndErrorCodes) {
    EXPECT_EQ(FailureKindName(FailureKind::dns), "dns");
    EXPECT_EQ(FailureKindName(FailureKind::refused), "refused");
    EXPECT_EQ(FailureKindName(FailureKind::timeout), "timeout");
    EXPECT_EQ(FailureKindName(FailureKind::auth_failed), "auth_failed");
    EXPECT_EQ(FailureKindName(FailureKind::host_key_mismatch), "host_key_mismatch");
    EXPECT_EQ(FailureKindName(FailureKind::protocol), "protocol");
    const SshError e(FailureKind::host_key_mismatch, "changed", "SHA256:x");
    EXPECT_EQ(e.kind(), FailureKind::host_key_mismatch);
    EXPECT_EQ(e.seen_host_key(), "SHA256:x");
    EXPECT_STREQ(e.what(), "changed");
    EXPECT_EQ(SshError(FailureKind::timeout, "t").code(), core::errc::timeout);
}

}  // namespace
}  // namespace gatehouse::ssh
