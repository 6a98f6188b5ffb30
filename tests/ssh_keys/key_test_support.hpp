#pragma once
// Helpers shared by the key material tests: temp dirs, ssh-keygen as the reference tool.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/errc.hpp"
#include "ssh/key_material.hpp"

namespace gatehouse::ssh::test {

namespace fs = std::filesystem;

// A private scratch directory per test; key files must be 0600 or ssh-keygen refuses them.
class TempDir {
  public:
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "gh-ssh-keys-XXXXXX").string();
        if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    fs::path Write(const std::string& name, const std::string& content) const {
        fs::path p = path_ / name;
        std::ofstream(p, std::ios::binary) << content;
        fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
        return p;
    }
    std::string Read(const std::string& name) const {
        std::ifstream in(path_ / name, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }
    const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

struct RunResult {
    int status = -1;
    std::string out;
};

// Arguments are only our own temp paths and fixed words, so a shell command line is safe here.
inline RunResult RunShell(const std::string& command) {
    RunResult r;
    FILE* pipe = popen((command + " 2>/dev/null").c_str(), "r");
    if (pipe == nullptr) return r;
    std::array<char, 4096> buf{};
    std::size_t n = 0;
    while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
    int st = pclose(pipe);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

struct KeygenListing {
    int bits = 0;
    std::string fingerprint;
};

inline KeygenListing ListWithKeygen(const fs::path& file) {
    RunResult r = RunShell("ssh-keygen -E sha256 -lf '" + file.string() + "'");
    EXPECT_EQ(r.status, 0) << "ssh-keygen -lf failed on " << file;
    KeygenListing l;
    std::istringstream in(r.out);
    in >> l.bits >> l.fingerprint;
    return l;
}

inline std::string Field(const std::string& line, int index) {
    std::istringstream in(line);
    std::string token;
    for (int i = 0; i <= index; ++i) in >> token;
    return token;
}

// Generates a key with ssh-keygen: `format` "" (OpenSSH) or "PEM"/"PKCS8".
struct ExternalKey {
    std::string private_text;
    std::string public_line;
    KeygenListing listing;
};

inline ExternalKey KeygenMake(const TempDir& dir, const std::string& name, const std::string& type_args,
                              const std::string& format, const std::string& passphrase, const std::string& comment) {
    fs::path p = dir.path() / name;
    std::string cmd =
        "ssh-keygen -q " + type_args + " -N '" + passphrase + "' -C '" + comment + "' -f '" + p.string() + "'";
    if (!format.empty()) cmd += " -m " + format;
    RunResult r = RunShell(cmd);
    EXPECT_EQ(r.status, 0) << cmd;
    ExternalKey k;
    k.private_text = dir.Read(name);
    k.public_line = dir.Read(name + ".pub");
    k.listing = ListWithKeygen(dir.path() / (name + ".pub"));
    return k;
}

// Runs `f`, expecting invalid_argument; returns the message.
template <typename F>
std::string ExpectInvalid(F&& f) {
    try {
        f();
    } catch (const core::Error& e) {
        EXPECT_EQ(e.code(), core::errc::invalid_argument) << e.what();
        return e.what();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "unexpected exception " << e.what();
        return {};
    }
    ADD_FAILURE() << "no exception";
    return {};
}

inline void CheckAgainstKeygen(const KeyMaterial& km, const std::string& expected_type, int expected_bits) {
    TempDir dir;
    EXPECT_EQ(km.type, expected_type);
    EXPECT_EQ(km.bits, expected_bits);
    ASSERT_TRUE(km.private_key.has_value());
    EXPECT_TRUE(km.private_key->starts_with("-----BEGIN OPENSSH PRIVATE KEY-----\n")) << "not OpenSSH text";
    EXPECT_EQ(km.fingerprint.rfind("SHA256:", 0), 0u);
    EXPECT_EQ(km.fingerprint.find('='), std::string::npos);

    fs::path pub = dir.Write("key.pub", km.public_key + "\n");
    fs::path priv = dir.Write("key", *km.private_key);
    KeygenListing from_pub = ListWithKeygen(pub);
    EXPECT_EQ(from_pub.fingerprint, km.fingerprint);
    EXPECT_EQ(from_pub.bits, km.bits);
    KeygenListing from_priv = ListWithKeygen(priv);
    EXPECT_EQ(from_priv.fingerprint, km.fingerprint);
    EXPECT_EQ(from_priv.bits, km.bits);

    RunResult derived = RunShell("ssh-keygen -y -f '" + priv.string() + "'");
    ASSERT_EQ(derived.status, 0);
    EXPECT_EQ(Field(derived.out, 0), Field(km.public_key, 0));
    EXPECT_EQ(Field(derived.out, 1), Field(km.public_key, 1));
}

struct KeygenCase {
    std::string name;
    std::string type_args;
    std::string format;  // "" = OpenSSH
    std::string family;
    int bits;
};

}  // namespace gatehouse::ssh::test
