// A local Unix socket bridged to direct-tcpip channels of one SSH session. libssh sessions are not thread-safe, so
// one thread owns the session and serves every channel with poll(2); the channels carry little (monitoring queries),
// so a simple loop is enough.
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "ssh/client_detail.hpp"

namespace gatehouse::ssh::detail {
namespace {

// How long the loop sleeps when nothing happens; data on any socket wakes it at once.
constexpr int kIdlePollMs = 100;
// How long a local write may wait for the reader (libpq) before the connection is dropped.
constexpr int kWriteWaitMs = 5000;

struct Bridge {
    int fd = -1;
    ssh_channel channel = nullptr;
};

class ForwardImpl final : public Forward {
  public:
    ForwardImpl(ssh_session session, std::string remote_host, std::uint16_t remote_port)
        : session_(session), remote_host_(std::move(remote_host)), remote_port_(remote_port) {
        try {
            Listen();
        } catch (...) {
            Cleanup();
            throw;
        }
        thread_ = std::thread([this] { Loop(); });
    }

    ~ForwardImpl() override {
        stop_.store(true);
        if (thread_.joinable()) thread_.join();
        Cleanup();
    }

    const std::string& socket_dir() const override { return dir_; }
    bool alive() const override { return alive_.load(); }
    std::string last_error() const override {
        const std::lock_guard lock(mutex_);
        return last_error_;
    }
    std::uint64_t channels_opened() const override { return channels_opened_.load(); }

  private:
    void Listen() {
        std::string dir_template = "/tmp/gatehouse-forward-XXXXXX";
        if (::mkdtemp(dir_template.data()) == nullptr)
            throw SshError(FailureKind::protocol, "cannot create the forward's socket directory");
        dir_ = dir_template;  // mkdtemp makes it 0700: only this user may connect
        path_ = dir_ + "/.s.PGSQL." + std::to_string(remote_port_);
        listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        if (listen_fd_ < 0 || path_.size() >= sizeof(addr.sun_path))
            throw SshError(FailureKind::protocol, "cannot create the forward's socket");
        std::memcpy(addr.sun_path, path_.c_str(), path_.size() + 1);
        if (::bind(listen_fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0 ||
            ::listen(listen_fd_, 16) != 0)
            throw SshError(FailureKind::protocol,
                           std::string("cannot listen on the forward's socket: ") + std::strerror(errno));
    }

    void Cleanup() {
        for (auto& bridge : bridges_) Close(bridge);
        bridges_.clear();
        if (listen_fd_ >= 0) ::close(listen_fd_);
        listen_fd_ = -1;
        if (!path_.empty()) ::unlink(path_.c_str());
        if (!dir_.empty()) ::rmdir(dir_.c_str());
        if (session_ != nullptr) {
            ssh_disconnect(session_);
            ssh_free(session_);
            session_ = nullptr;
        }
    }

    void Fail(std::string why) {
        const std::lock_guard lock(mutex_);
        last_error_ = std::move(why);
    }

    static void Close(Bridge& bridge) {
        if (bridge.channel != nullptr) {
            ssh_channel_close(bridge.channel);
            ssh_channel_free(bridge.channel);
            bridge.channel = nullptr;
        }
        if (bridge.fd >= 0) ::close(bridge.fd);
        bridge.fd = -1;
    }

    void Accept() {
        while (true) {
            const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) return;
            Bridge bridge{fd, ssh_channel_new(session_)};
            if (bridge.channel == nullptr || ssh_channel_open_forward(bridge.channel, remote_host_.c_str(),
                                                                      remote_port_, "127.0.0.1", 0) != SSH_OK) {
                const char* error = ssh_get_error(session_);
                Fail("the SSH server refused a channel to " + remote_host_ + ":" + std::to_string(remote_port_) + ": " +
                     (error != nullptr && *error != '\0' ? error : "no reason given"));
                Close(bridge);
                continue;
            }
            channels_opened_.fetch_add(1);
            bridges_.push_back(bridge);
        }
    }

    // Writes all of `data` to the local socket; false when the reader went away or stalled.
    static bool WriteLocal(int fd, const char* data, std::size_t size) {
        while (size > 0) {
            const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
            if (n > 0) {
                data += n;
                size -= static_cast<std::size_t>(n);
                continue;
            }
            if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
            pollfd p{fd, POLLOUT, 0};
            if (::poll(&p, 1, kWriteWaitMs) <= 0) return false;
        }
        return true;
    }

    // Moves what is waiting in each direction; false when the bridge ended.
    bool Pump(Bridge& bridge, bool local_readable, bool& moved) {
        std::array<char, 16 * 1024> buf;
        if (local_readable) {
            const ssize_t n = ::recv(bridge.fd, buf.data(), buf.size(), 0);
            if (n == 0) return false;
            if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
            if (n > 0) {
                moved = true;
                if (ssh_channel_write(bridge.channel, buf.data(), static_cast<uint32_t>(n)) == SSH_ERROR) return false;
            }
        }
        while (true) {
            const int n = ssh_channel_read_nonblocking(bridge.channel, buf.data(), buf.size(), 0);
            if (n == SSH_ERROR) return false;
            if (n <= 0) break;
            moved = true;
            if (!WriteLocal(bridge.fd, buf.data(), static_cast<std::size_t>(n))) return false;
        }
        return ssh_channel_is_eof(bridge.channel) == 0 && ssh_channel_is_closed(bridge.channel) == 0;
    }

    void Loop() {
        std::vector<pollfd> fds;
        bool moved = false;
        while (!stop_.load()) {
            fds.clear();
            fds.push_back({listen_fd_, POLLIN, 0});
            fds.push_back({ssh_get_fd(session_), POLLIN, 0});
            for (const auto& bridge : bridges_) fds.push_back({bridge.fd, POLLIN, 0});
            // Data libssh already read into a channel's buffer does not wake poll: after progress, look again at once.
            ::poll(fds.data(), fds.size(), moved ? 0 : kIdlePollMs);
            moved = false;
            if ((fds[0].revents & POLLIN) != 0) Accept();
            for (std::size_t i = 0; i < bridges_.size();) {
                const bool readable = i + 2 < fds.size() && (fds[i + 2].revents & (POLLIN | POLLHUP | POLLERR)) != 0;
                if (Pump(bridges_[i], readable, moved)) {
                    ++i;
                    continue;
                }
                Close(bridges_[i]);
                bridges_.erase(bridges_.begin() + static_cast<std::ptrdiff_t>(i));
                fds.erase(fds.begin() + static_cast<std::ptrdiff_t>(i) + 2);
            }
            if (ssh_is_connected(session_) == 0) {
                const char* error = ssh_get_error(session_);
                Fail(std::string("the SSH session ended: ") + (error != nullptr ? error : ""));
                alive_.store(false);
                break;
            }
        }
        for (auto& bridge : bridges_) Close(bridge);
        bridges_.clear();
    }

    ssh_session session_;
    const std::string remote_host_;
    const std::uint16_t remote_port_;
    std::string dir_;
    std::string path_;
    int listen_fd_ = -1;
    std::vector<Bridge> bridges_;  // the loop's thread only
    std::atomic<bool> stop_{false};
    std::atomic<bool> alive_{true};
    std::atomic<std::uint64_t> channels_opened_{0};
    mutable std::mutex mutex_;
    std::string last_error_;  // guarded by mutex_
    std::thread thread_;
};

}  // namespace

std::shared_ptr<Forward> StartForward(ssh_session session, std::string remote_host, std::uint16_t remote_port) {
    return std::make_shared<ForwardImpl>(session, std::move(remote_host), remote_port);
}

}  // namespace gatehouse::ssh::detail
