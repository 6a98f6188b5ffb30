#pragma once
// Shared by the session client's .cpp files only (ssh_client.cpp, session_setup.cpp, forward.cpp).

#include <libssh/libssh.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "ssh/ssh_client.hpp"

namespace gatehouse::ssh::detail {

/// "user@host:port" of a target, for messages.
std::string Where(const Target& t);
/// libssh's last error on `s`, never empty.
std::string LibsshError(ssh_session s);
/// "SHA256:..." of the key the server presented, as `ssh-keygen -l` prints it. Throws SshError(protocol).
std::string ServerFingerprint(ssh_session s);
/// Whether `host` may reach libssh's SSH_OPTIONS_HOST (no "user@", no leading '-', no spaces or controls).
bool ValidHost(std::string_view host);
/// ssh_options_set, throwing SshError(protocol) naming `what` when it fails.
void SetOption(ssh_session s, ssh_options_e option, const void* value, const char* what);
/// Logs in with the target's password or key. Throws SshError (auth_failed, timeout, protocol).
void Authenticate(ssh_session s, const Target& t);

/// Starts the forward's thread on `session` (logged in; owned from now on). Throws SshError(protocol) when the
/// local socket cannot be made.
std::shared_ptr<Forward> StartForward(ssh_session session, std::string remote_host, std::uint16_t remote_port);

}  // namespace gatehouse::ssh::detail
