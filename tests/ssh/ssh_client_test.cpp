#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/detached.hpp>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

#include "ssh/test_support.hpp"

namespace gatehouse::ssh::test {

namespace {

std::mutex shared_mutex;
std::unique_ptr<testing::SshdServer> shared_server;

}  // namespace

testing::SshdServer& SharedSshd() {
    std::lock_guard lock(shared_mutex);
    if (!shared_server) shared_server = std::make_unique<testing::SshdServer>();
    return *shared_server;
}

void SshdEnvironment::TearDown() {
    std::lock_guard lock(shared_mutex);
    shared_server.reset();
}

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

Target PasswordTarget(const testing::SshdServer& sshd) {
    Target t;
    t.server_id = "srv-password";
    t.host = sshd.host();
    t.port = static_cast<std::uint16_t>(sshd.port());
    t.user = sshd.user();
    t.auth = Target::Auth::password;
    t.password = sshd.password();
    return t;
}

Target KeyTarget(const testing::SshdServer& sshd) {
    Target t = PasswordTarget(sshd);
    t.server_id = "srv-key";
    t.auth = Target::Auth::key;
    t.password.clear();
    t.private_key = sshd.ClientKey();
    return t;
}

class SshClientTest : public ::testing::Test {
  protected:
    void SetUp() override { sshd_ = &SharedSshd(); }

    ConnectInfo Connect(SshClient& client, const Target& t) {
        return RunAsync(io_, [&]() -> asio::awaitable<ConnectInfo> { co_return co_await client.Connect(t); }());
    }
    ConnectInfo Connect(const Target& t) { return Connect(client_, t); }

    ExecResult Exec(SshClient& client, const Target& t, const std::string& command, std::chrono::seconds timeout = 10s,
                    ChunkCallback on_chunk = {}) {
        return RunAsync(io_, [&]() -> asio::awaitable<ExecResult> {
            co_return co_await client.Exec(t, command, timeout, on_chunk);
        }());
    }
    ExecResult Exec(const Target& t, const std::string& command, std::chrono::seconds timeout = 10s,
                    ChunkCallback on_chunk = {}) {
        return Exec(client_, t, command, timeout, std::move(on_chunk));
    }

    /// The SshError a Connect throws; fails the test when it succeeds.
    std::optional<SshError> ConnectError(const Target& t) {
        try {
            Connect(t);
        } catch (const SshError& e) {
            return e;
        }
        ADD_FAILURE() << "connected to " << t.host << ":" << t.port;
        return std::nullopt;
    }

    testing::SshdServer* sshd_ = nullptr;
    asio::io_context io_;
    core::WorkerPool pool_{"ssh-test", 4, 1000};
    SshClient client_{pool_, ClientOptions{.connect_timeout = 3s}};
};

TEST_F(SshClientTest, PasswordAuthConnectsAndReportsTheHostKey) {
    const ConnectInfo info = Connect(PasswordTarget(*sshd_));
    EXPECT_FALSE(info.reused);
    EXPECT_GT(info.latency_ms, 0);
    // Same text as `ssh-keygen -lf host_key.pub` prints.
    EXPECT_EQ(info.host_key_fingerprint, sshd_->HostKeyFingerprint());
    EXPECT_TRUE(info.host_key_fingerprint.starts_with("SHA256:"));
    EXPECT_EQ(info.host_key_fingerprint.find('='), std::string::npos) << "base64 padding";
    EXPECT_EQ(client_.handshakes(), 1u);
}

TEST_F(SshClientTest, WrongPasswordIsAuthFailedAndNeverEchoed) {
    Target t = PasswordTarget(*sshd_);
    t.password = "wrong-Secret-8812";
    const auto e = ConnectError(t);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->kind(), FailureKind::auth_failed) << e->what();
    EXPECT_EQ(std::string(e->what()).find(t.password), std::string::npos) << e->what();
    EXPECT_EQ(e->seen_host_key(), "");
}

TEST_F(SshClientTest, KeyAuthConnects) {
    const ExecResult r = Exec(KeyTarget(*sshd_), "id -un");
    EXPECT_EQ(r.exit_status, 0);
    EXPECT_EQ(r.stdout_data, sshd_->user() + "\n");
}

TEST_F(SshClientTest, EncryptedKeyWithRightAndWrongPassphrase) {
    // A second authorized key, encrypted: generated next to the fixture's files.
    const std::string path = sshd_->dir() + "/encrypted_key";
    testing::RunShell("rm -f '" + path + "' '" + path + ".pub' && ssh-keygen -q -t ed25519 -N 'pass-Phrase-41' -f '" +
                      path + "' && cat '" + path + ".pub' >> '" + sshd_->dir() + "/authorized_keys'");
    Target t = KeyTarget(*sshd_);
    t.server_id = "srv-encrypted";
    t.private_key = testing::RunShell("cat '" + path + "'");
    t.passphrase = "pass-Phrase-41";
    EXPECT_EQ(Exec(t, "echo ok").stdout_data, "ok\n");

    t.passphrase = "not-the-Phrase-93";
    const auto wrong = ConnectError(t);
    ASSERT_TRUE(wrong);
    EXPECT_EQ(wrong->kind(), FailureKind::auth_failed) << wrong->what();
    EXPECT_EQ(std::string(wrong->what()).find("not-the-Phrase-93"), std::string::npos);
    EXPECT_EQ(std::string(wrong->what()).find("PRIVATE KEY"), std::string::npos);

    t.passphrase.clear();
    const auto missing = ConnectError(t);
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->kind(), FailureKind::auth_failed);
}

TEST_F(SshClientTest, UnauthorizedKeyIsAuthFailed) {
    const std::string path = sshd_->dir() + "/stranger_key";
    testing::RunShell("rm -f '" + path + "' '" + path + ".pub' && ssh-keygen -q -t ed25519 -N '' -f '" + path + "'");
    Target t = KeyTarget(*sshd_);
    t.server_id = "srv-stranger";
    t.private_key = testing::RunShell("cat '" + path + "'");
    const auto e = ConnectError(t);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->kind(), FailureKind::auth_failed) << e->what();
}

TEST_F(SshClientTest, ExecSeparatesStreamsAndReturnsTheExitStatus) {
    const ExecResult r = Exec(PasswordTarget(*sshd_), "echo out; echo err >&2; exit 7");
    EXPECT_EQ(r.exit_status, 7);
    EXPECT_EQ(r.stdout_data, "out\n");
    EXPECT_EQ(r.stderr_data, "err\n");
    EXPECT_FALSE(r.timed_out);
    EXPECT_EQ(Exec(PasswordTarget(*sshd_), "true").exit_status, 0);
    EXPECT_EQ(Exec(PasswordTarget(*sshd_), "false").exit_status, 1);
}

TEST_F(SshClientTest, BinaryBytesArriveIntact) {
    const ExecResult r = Exec(PasswordTarget(*sshd_), "printf '\\377\\000\\001'; printf '\\200\\000' >&2");
    EXPECT_EQ(r.exit_status, 0);
    EXPECT_EQ(r.stdout_data, std::string("\xff\x00\x01", 3));
    EXPECT_EQ(r.stderr_data, std::string("\x80\x00", 2));
}

TEST_F(SshClientTest, LargeOutputIsComplete) {
    const ExecResult r = Exec(PasswordTarget(*sshd_), "head -c 3000000 /dev/zero");
    EXPECT_EQ(r.exit_status, 0);
    EXPECT_EQ(r.stdout_data.size(), 3000000u);
}

TEST_F(SshClientTest, ChunksStreamInOrder) {
    std::mutex m;
    std::vector<std::pair<int, std::string>> chunks;
    std::vector<Clock::time_point> arrivals;
    const auto start = Clock::now();
    const ExecResult r = Exec(PasswordTarget(*sshd_), "for i in 1 2 3 4 5; do echo line$i; sleep 0.2; done; echo e >&2",
                              10s, [&](int stream, std::string_view data) {
                                  std::lock_guard lock(m);
                                  chunks.emplace_back(stream, std::string(data));
                                  arrivals.push_back(Clock::now());
                              });
    EXPECT_EQ(r.stdout_data, "line1\nline2\nline3\nline4\nline5\n");
    std::string out, err;
    for (const auto& [stream, data] : chunks) (stream == 1 ? out : err) += data;
    EXPECT_EQ(out, r.stdout_data);
    EXPECT_EQ(err, "e\n");
    ASSERT_GE(chunks.size(), 5u);
    // Streamed, not delivered at the end: the first line arrived well before the command ended.
    EXPECT_LT(arrivals.front() - start, std::chrono::milliseconds(700));
    EXPECT_GT(arrivals.back() - arrivals.front(), std::chrono::milliseconds(600));
}

TEST_F(SshClientTest, CommandTimeoutAbandonsTheCommand) {
    const Target t = PasswordTarget(*sshd_);
    Exec(t, "true");  // a pooled session, to see that a timed-out one is not returned to the pool
    const auto start = Clock::now();
    const ExecResult r = Exec(t, "echo started; sleep 10", 1s);
    const auto took = Clock::now() - start;
    EXPECT_TRUE(r.timed_out);
    EXPECT_EQ(r.exit_status, -1);
    EXPECT_EQ(r.stdout_data, "started\n");
    EXPECT_LT(took, 2500ms);
    EXPECT_GE(took, 900ms);
    const auto before = client_.handshakes();
    EXPECT_EQ(Exec(t, "echo again").stdout_data, "again\n");
    EXPECT_EQ(client_.handshakes(), before + 1) << "the timed-out session went back to the pool";
}

TEST_F(SshClientTest, RefusedPort) {
    // A port nobody listens on: bind one and close it.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    Target t = PasswordTarget(*sshd_);
    t.port = ntohs(addr.sin_port);
    const auto e = ConnectError(t);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->kind(), FailureKind::refused) << e->what();
    std::printf("refused: %s\n", e->what());
}

TEST_F(SshClientTest, UnresolvableHost) {
    Target t = PasswordTarget(*sshd_);
    t.host = "nonexistent.invalid";
    const auto e = ConnectError(t);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->kind(), FailureKind::dns) << e->what();
    std::printf("dns: %s\n", e->what());
}

TEST_F(SshClientTest, SilentServerTimesOut) {
    // Accepts TCP (the kernel completes the handshake from the backlog) but never sends a banner.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(fd, 8), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    SshClient client(pool_, ClientOptions{.connect_timeout = 1s});
    Target t = PasswordTarget(*sshd_);
    t.port = ntohs(addr.sin_port);
    const auto start = Clock::now();
    try {
        Connect(client, t);
        ADD_FAILURE() << "connected to a silent server";
    } catch (const SshError& e) {
        EXPECT_EQ(e.kind(), FailureKind::timeout) << e.what();
        std::printf("timeout: %s\n", e.what());
    }
    EXPECT_LT(Clock::now() - start, 3s);
    ::close(fd);
}

TEST_F(SshClientTest, PinnedHostKey) {
    Target t = PasswordTarget(*sshd_);
    t.expected_host_key = sshd_->HostKeyFingerprint();
    EXPECT_EQ(Connect(t).host_key_fingerprint, t.expected_host_key);

    t.server_id = "srv-wrong-pin";
    t.expected_host_key = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    const auto e = ConnectError(t);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->kind(), FailureKind::host_key_mismatch) << e->what();
    EXPECT_EQ(e->seen_host_key(), sshd_->HostKeyFingerprint());
    EXPECT_EQ(e->code(), core::errc::conflict);
}

TEST_F(SshClientTest, HostKeyChangeIsRefused) {
    testing::SshdServer own;  // this test replaces the host key; the shared server keeps its own
    Target t = PasswordTarget(own);
    const std::string old_key = own.HostKeyFingerprint();
    t.expected_host_key = old_key;
    EXPECT_EQ(Exec(t, "true").exit_status, 0);  // leaves a pooled session pinned to the old key

    own.RestartWithNewHostKey();
    const std::string new_key = own.HostKeyFingerprint();
    ASSERT_NE(new_key, old_key);
    const auto e = ConnectError(t);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->kind(), FailureKind::host_key_mismatch) << e->what();
    EXPECT_EQ(e->seen_host_key(), new_key);
    try {
        Exec(t, "true");
        ADD_FAILURE() << "exec ran against a changed host key";
    } catch (const SshError& ex) {
        EXPECT_EQ(ex.kind(), FailureKind::host_key_mismatch);
    }

    // Accepting the new key (what the admin route will do) works.
    t.expected_host_key = new_key;
    EXPECT_EQ(Connect(t).host_key_fingerprint, new_key);
}

TEST_F(SshClientTest, SessionReuseAvoidsHandshakes) {
    const Target t = PasswordTarget(*sshd_);
    SshClient client(pool_, ClientOptions{});
    Exec(client, t, "true");  // warm: one handshake
    const auto before = client.handshakes();
    const auto start = Clock::now();
    constexpr int kOps = 100;
    for (int i = 0; i < kOps; ++i) {
        const ExecResult r = Exec(client, t, "true");
        ASSERT_EQ(r.exit_status, 0);
    }
    const double reused_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count() / kOps;
    EXPECT_LE(client.handshakes() - before, 2u);

    constexpr int kFresh = 5;
    const auto fresh_start = Clock::now();
    for (int i = 0; i < kFresh; ++i) {
        SshClient fresh(pool_, ClientOptions{});
        ASSERT_EQ(Exec(fresh, t, "true").exit_status, 0);
        ASSERT_EQ(fresh.handshakes(), 1u);
    }
    const double fresh_ms = std::chrono::duration<double, std::milli>(Clock::now() - fresh_start).count() / kFresh;
    std::printf(
        "exec \"true\": reused session %.2f ms/op (100 ops, %llu handshakes), fresh session %.2f ms/op (%d ops)\n",
        reused_ms, static_cast<unsigned long long>(client.handshakes() - before), fresh_ms, kFresh);

    // Connect on a reused session is a round trip, not a handshake.
    const ConnectInfo again = Connect(client, t);
    EXPECT_TRUE(again.reused);
    EXPECT_EQ(again.host_key_fingerprint, sshd_->HostKeyFingerprint());
    std::printf("connect: reused %.2f ms\n", again.latency_ms);
}

TEST_F(SshClientTest, IdleSessionsExpire) {
    SshClient client(pool_, ClientOptions{.idle_timeout = 1s});
    const Target t = PasswordTarget(*sshd_);
    EXPECT_FALSE(Connect(client, t).reused);
    EXPECT_TRUE(Connect(client, t).reused);
    std::this_thread::sleep_for(1100ms);
    client.CloseIdle();
    EXPECT_FALSE(Connect(client, t).reused);
    EXPECT_EQ(client.handshakes(), 2u);
}

TEST_F(SshClientTest, DifferentCredentialsDoNotShareSessions) {
    const Target t = PasswordTarget(*sshd_);
    EXPECT_FALSE(Connect(t).reused);
    Target wrong = t;
    wrong.password = "wrong-Secret-17";
    const auto e = ConnectError(wrong);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->kind(), FailureKind::auth_failed);
    EXPECT_TRUE(Connect(t).reused);
}

TEST_F(SshClientTest, ConcurrentOperationsUseSeparateSessions) {
    SshClient client(pool_, ClientOptions{.max_idle_per_server = 4});
    const Target t = PasswordTarget(*sshd_);
    std::vector<ExecResult> results(4);
    int done = 0;
    for (int i = 0; i < 4; ++i) {
        asio::co_spawn(
            io_,
            [&, i]() -> asio::awaitable<void> {
                results[i] = co_await client.Exec(t, "sleep 0.3; echo " + std::to_string(i), 10s);
                ++done;
            },
            asio::detached);
    }
    const auto start = Clock::now();
    io_.run();
    io_.restart();
    EXPECT_EQ(done, 4);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(results[i].stdout_data, std::to_string(i) + "\n");
    EXPECT_LT(Clock::now() - start, 1500ms) << "the four ran one after another";
    EXPECT_EQ(client.handshakes(), 4u);
    // All four went back to the pool.
    for (int i = 0; i < 4; ++i) EXPECT_EQ(Exec(client, t, "true").exit_status, 0);
    EXPECT_EQ(client.handshakes(), 4u);
}

TEST_F(SshClientTest, ShellQuoteRoundTripsThroughTheRemoteShell) {
    const Target t = PasswordTarget(*sshd_);
    const std::vector<std::string> inputs = {"",
                                             "plain",
                                             "it's",
                                             "''",
                                             "a \"b\" c",
                                             "$(id)",
                                             "`id`",
                                             "$HOME ${PATH}",
                                             "two  spaces\tand tab",
                                             "line1\nline2\n",
                                             "-oProxyCommand=x",
                                             "; rm -rf / #",
                                             "back\\slash \\' \\\\",
                                             "*?[a-z]~",
                                             "\xff\xfe non-utf8"};
    for (const std::string& s : inputs) {
        const ExecResult r = Exec(t, "printf %s " + ShellQuote(s));
        EXPECT_EQ(r.exit_status, 0) << s;
        EXPECT_EQ(r.stdout_data, s) << ShellQuote(s);
        EXPECT_EQ(r.stderr_data, "");
    }
}

TEST_F(SshClientTest, BlockingWorkRunsOffTheIoThread) {
    const Target t = PasswordTarget(*sshd_);
    const std::thread::id io_thread = std::this_thread::get_id();
    std::vector<std::thread::id> chunk_threads;
    std::mutex m;
    struct Threads {
        std::thread::id before, after_connect, after_exec;
    };
    const Threads th = RunAsync(io_, [&]() -> asio::awaitable<Threads> {
        Threads r;
        r.before = std::this_thread::get_id();
        co_await client_.Connect(t);
        r.after_connect = std::this_thread::get_id();
        co_await client_.Exec(t, "echo hi", 10s, [&](int, std::string_view) {
            std::lock_guard lock(m);
            chunk_threads.push_back(std::this_thread::get_id());
        });
        r.after_exec = std::this_thread::get_id();
        co_return r;
    }());
    EXPECT_EQ(th.before, io_thread);
    EXPECT_EQ(th.after_connect, io_thread) << "resumed on a pool thread";
    EXPECT_EQ(th.after_exec, io_thread) << "resumed on a pool thread";
    ASSERT_FALSE(chunk_threads.empty());
    for (const auto id : chunk_threads) EXPECT_NE(id, io_thread) << "libssh ran on the I/O thread";
}

}  // namespace
}  // namespace gatehouse::ssh::test
