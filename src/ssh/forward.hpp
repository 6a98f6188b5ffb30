#pragma once
// Shared by ssh_client.cpp and forward.cpp only.

#include <libssh/libssh.h>

#include <cstdint>
#include <memory>
#include <string>

#include "ssh/ssh_client.hpp"

namespace gatehouse::ssh::detail {

/// Starts the forward's thread on `session` (logged in; owned from now on). Throws SshError(protocol) when the
/// local socket cannot be made.
std::shared_ptr<Forward> StartForward(ssh_session session, std::string remote_host, std::uint16_t remote_port);

}  // namespace gatehouse::ssh::detail
