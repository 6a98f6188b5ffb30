#include "app/data_dir.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace gatehouse::app {
namespace fs = std::filesystem;

void EnsureDataDir(const fs::path& dir) {
    std::error_code ec;
    if (fs::is_directory(dir, ec)) return;
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        throw std::runtime_error("cannot create data directory " + dir.string() + ": " + std::strerror(errno));
}

void RequireServedDataDir(const config::Config& config) {
    std::error_code ec;
    const fs::path dir = fs::absolute(config.data_dir, ec);
    const std::string hint = ": pass --data-dir (or GATEHOUSE_DATA_DIR) naming the directory `gatehouse serve` uses";
    if (!fs::is_directory(dir, ec)) throw std::runtime_error("no data directory at " + dir.string() + hint);
    const fs::path database = dir / "gatehouse.db";
    if (config.database.url.empty() && !fs::is_regular_file(database, ec))
        throw std::runtime_error("no gatehouse database at " + database.string() + hint +
                                 ", or --database-url for PostgreSQL");
}

DataDirLock::DataDirLock(const fs::path& dir, Mode mode) {
    const fs::path path = dir / "serve.lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) throw std::runtime_error("cannot open " + path.string() + ": " + std::strerror(errno));
    if (::flock(fd_, (mode == Mode::serving ? LOCK_SH : LOCK_EX) | LOCK_NB) == 0) return;
    const int error = errno;
    ::close(fd_);
    if (error != EWOULDBLOCK) throw std::runtime_error("cannot lock " + path.string() + ": " + std::strerror(error));
    if (mode == Mode::serving)
        throw std::runtime_error("`gatehouse vault rotate` is running on " + dir.string() +
                                 ": start the server again once it has finished");
    throw std::runtime_error("a gatehouse server is running on " + dir.string() +
                             ": it holds the vault key in memory, and its secrets would be unreadable after a rotation "
                             "until it restarts. Stop it, run `gatehouse vault rotate`, then start it again "
                             "(nothing was changed)");
}

DataDirLock::~DataDirLock() {
    if (fd_ >= 0) ::close(fd_);
}

void RequireListenable(const std::string& listen) {
    const auto [host, port] = config::SplitListen(listen);
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
    if (ec) throw std::runtime_error("cannot listen on '" + host + "': not an IP address");
    boost::asio::io_context context;
    boost::asio::ip::tcp::acceptor acceptor(context);
    const boost::asio::ip::tcp::endpoint endpoint(address, port);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(boost::asio::ip::tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (ec)
        throw std::runtime_error("cannot listen on " + listen + ": " + ec.message() +
                                 " (nothing was started or created)");
}

}  // namespace gatehouse::app
