#include "app/data_dir.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/ids.hpp"

namespace gatehouse::app {
namespace fs = std::filesystem;

void EnsureDataDir(const fs::path& dir) {
    std::error_code ec;
    if (fs::is_directory(dir, ec)) return;
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        throw std::runtime_error("cannot create data directory " + dir.string() + ": " + std::strerror(errno));
}

namespace {

std::string FromHex(const std::string& hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        auto nibble = [](char c) -> int {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        };
        const int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
        if (hi < 0 || lo < 0) return {};
        out.push_back(static_cast<char>(hi * 16 + lo));
    }
    return out;
}

std::string ReadKey(const fs::path& file, std::size_t bytes) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot read key file " + file.string());
    std::string hex;
    in >> hex;
    std::string key = FromHex(hex);
    if (hex.size() != bytes * 2 || key.size() != bytes)
        throw std::runtime_error("key file " + file.string() + " is malformed (expected " + std::to_string(bytes * 2) +
                                 " hex digits); refusing to replace it");
    return key;
}

}  // namespace

std::string EnsureKeyFile(const fs::path& file, std::size_t bytes) {
    // O_EXCL: two processes starting at once cannot both write a key; the loser reads the winner's.
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST) return ReadKey(file, bytes);
        throw std::runtime_error("cannot create key file " + file.string() + ": " + std::strerror(errno));
    }
    const std::string hex = core::RandomHex(bytes) + "\n";
    const bool ok = ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) {
        ::unlink(file.c_str());
        throw std::runtime_error("cannot write key file " + file.string());
    }
    return FromHex(hex.substr(0, bytes * 2));
}

}  // namespace gatehouse::app
