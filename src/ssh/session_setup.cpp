// Setting up a libssh session: options, the server's host key, authentication.
#include <libssh/libssh.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "ssh/client_detail.hpp"

namespace gatehouse::ssh::detail {
namespace {

struct KeyDeleter {
    void operator()(ssh_key k) const noexcept { ssh_key_free(k); }
};
using KeyPtr = std::unique_ptr<ssh_key_struct, KeyDeleter>;

}  // namespace

std::string Where(const Target& t) { return t.user + "@" + t.host + ":" + std::to_string(t.port); }

std::string LibsshError(ssh_session s) {
    const char* text = ssh_get_error(s);
    return text != nullptr && *text != '\0' ? text : "unknown libssh error";
}

std::string ServerFingerprint(ssh_session s) {
    ssh_key raw_key = nullptr;
    if (ssh_get_server_publickey(s, &raw_key) != SSH_OK) {
        throw SshError(FailureKind::protocol, "cannot read the server's host key: " + LibsshError(s));
    }
    const KeyPtr key(raw_key);
    unsigned char* hash = nullptr;
    std::size_t hash_len = 0;
    if (ssh_get_publickey_hash(key.get(), SSH_PUBLICKEY_HASH_SHA256, &hash, &hash_len) != 0) {
        throw SshError(FailureKind::protocol, "cannot hash the server's host key");
    }
    // "SHA256:" + unpadded base64, the format `ssh-keygen -l` prints.
    char* text = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hash_len);
    ssh_clean_pubkey_hash(&hash);
    if (text == nullptr) throw SshError(FailureKind::protocol, "cannot format the server's host key fingerprint");
    std::string out(text);
    ssh_string_free_char(text);
    return out;
}

bool ValidHost(std::string_view host) {
    // libssh parses "user@host" in SSH_OPTIONS_HOST; a leading '-' is never a host. Callers
    // validate addresses; this is the last line before the string reaches libssh.
    if (host.empty() || host.front() == '-') return false;
    return std::none_of(host.begin(), host.end(),
                        [](unsigned char c) { return c == '@' || std::isspace(c) != 0 || std::iscntrl(c) != 0; });
}

void SetOption(ssh_session s, ssh_options_e option, const void* value, const char* what) {
    if (ssh_options_set(s, option, value) != SSH_OK) {
        throw SshError(FailureKind::protocol, std::string("cannot set the SSH option ") + what);
    }
}

void Authenticate(ssh_session s, const Target& t) {
    int rc = SSH_AUTH_ERROR;
    if (t.auth == Target::Auth::password) {
        rc = ssh_userauth_password(s, nullptr, t.password.c_str());
    } else {
        ssh_key raw_key = nullptr;
        const char* passphrase = t.passphrase.empty() ? nullptr : t.passphrase.c_str();
        if (ssh_pki_import_privkey_base64(t.private_key.c_str(), passphrase, nullptr, nullptr, &raw_key) != SSH_OK) {
            throw SshError(FailureKind::auth_failed,
                           "cannot use the private key for " + Where(t) + ": malformed key or wrong passphrase");
        }
        const KeyPtr key(raw_key);
        rc = ssh_userauth_publickey(s, nullptr, key.get());
    }
    const char* method = t.auth == Target::Auth::password ? "password" : "key";
    if (rc == SSH_AUTH_SUCCESS) return;
    if (rc == SSH_AUTH_DENIED || rc == SSH_AUTH_PARTIAL) {
        throw SshError(FailureKind::auth_failed, std::string("authentication failed for ") + Where(t) + " (" + method +
                                                     "): the server rejected the credentials");
    }
    // SSH_AUTH_ERROR: the connection broke or timed out; libssh's text holds no credentials.
    const std::string error = LibsshError(s);
    const FailureKind kind =
        ClassifyConnectError(error) == FailureKind::timeout ? FailureKind::timeout : FailureKind::protocol;
    throw SshError(kind, std::string("authentication error for ") + Where(t) + " (" + method + "): " + error);
}

}  // namespace gatehouse::ssh::detail
