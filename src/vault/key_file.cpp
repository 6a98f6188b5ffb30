#include "vault/key_file.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace gatehouse::vault {
namespace fs = std::filesystem;
using detail::ParseHexKey;
using detail::Wipe;

namespace detail {

void Wipe(std::string& s) noexcept {
    if (!s.empty()) sodium_memzero(s.data(), s.size());
    s.clear();
}

void Wipe(std::vector<std::string>& keys) noexcept {
    for (auto& key : keys) Wipe(key);
    keys.clear();
}

std::optional<std::string> ParseHexKey(std::string_view hex, std::size_t bytes) {
    const auto is_space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
    while (!hex.empty() && is_space(hex.front())) hex.remove_prefix(1);
    while (!hex.empty() && is_space(hex.back())) hex.remove_suffix(1);
    if (hex.size() != bytes * 2) return std::nullopt;
    std::string key(bytes, '\0');
    std::size_t written = 0;
    const char* end = nullptr;
    if (sodium_hex2bin(reinterpret_cast<unsigned char*>(key.data()), key.size(), hex.data(), hex.size(), nullptr,
                       &written, &end) != 0 ||
        written != bytes || end != hex.data() + hex.size()) {
        Wipe(key);
        return std::nullopt;
    }
    return key;
}

std::string NewKey(std::size_t bytes) {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    std::string key(bytes, '\0');
    randombytes_buf(key.data(), key.size());
    return key;
}

}  // namespace detail

std::optional<std::string> ReadKeyFile(const fs::path& file, std::size_t bytes) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return std::nullopt;
        throw std::runtime_error("cannot read key file " + file.string() + ": " + std::strerror(errno));
    }
    // A valid file is 65 bytes; reading a little more detects trailing garbage without unbounded reads.
    std::string text(256, '\0');
    std::size_t size = 0;
    while (size < text.size()) {
        const ssize_t n = ::read(fd, text.data() + size, text.size() - size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        size += static_cast<std::size_t>(n);
    }
    ::close(fd);
    auto key = ParseHexKey(std::string_view(text.data(), size), bytes);
    Wipe(text);
    if (!key) {
        throw std::runtime_error("key file " + file.string() + " is malformed (expected " + std::to_string(bytes * 2) +
                                 " hex digits); refusing to replace it");
    }
    return key;
}

bool WriteKeyFile(const fs::path& file, std::string_view key, bool exclusive) {
    const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (exclusive ? O_EXCL : O_TRUNC);
    const int fd = ::open(file.c_str(), flags, 0600);
    if (fd < 0) {
        if (exclusive && errno == EEXIST) return false;
        throw std::runtime_error("cannot create key file " + file.string() + ": " + std::strerror(errno));
    }
    std::string hex(key.size() * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(key.data()), key.size());
    hex.back() = '\n';
    // O_TRUNC keeps an existing file's mode; the key must not stay readable by others.
    bool ok = ::fchmod(fd, 0600) == 0;
    std::size_t done = 0;
    while (ok && done < hex.size()) {
        const ssize_t n = ::write(fd, hex.data() + done, hex.size() - done);
        if (n < 0 && errno == EINTR) continue;
        ok = n > 0;
        if (ok) done += static_cast<std::size_t>(n);
    }
    ok = ok && ::fsync(fd) == 0;
    ::close(fd);
    Wipe(hex);
    if (!ok) {
        ::unlink(file.c_str());
        throw std::runtime_error("cannot write key file " + file.string());
    }
    return true;
}

std::string EnsureKeyFile(const fs::path& file, std::size_t bytes) {
    if (auto key = ReadKeyFile(file, bytes)) return std::move(*key);
    std::string fresh = detail::NewKey(bytes);
    if (WriteKeyFile(file, fresh, /*exclusive=*/true)) {
        SyncDirectory(file.parent_path().empty() ? fs::path(".") : file.parent_path());
        return fresh;
    }
    // Another process created it between our read and our O_EXCL create: use theirs.
    Wipe(fresh);
    if (auto key = ReadKeyFile(file, bytes)) return std::move(*key);
    throw std::runtime_error("key file " + file.string() + " disappeared while it was being created");
}

void SyncDirectory(const fs::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error("cannot open directory " + dir.string() + ": " + std::strerror(errno));
    const bool ok = ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) throw std::runtime_error("cannot sync directory " + dir.string());
}

namespace detail {

std::vector<std::string> ReadOldKeys(const fs::path& data_dir) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (fs::directory_iterator it(data_dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.starts_with("vault.key.") && name.ends_with(".old")) files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
    std::vector<std::string> keys;
    for (const auto& file : files) {
        if (auto key = ReadKeyFile(file)) keys.push_back(std::move(*key));
    }
    return keys;
}

}  // namespace detail
}  // namespace gatehouse::vault
