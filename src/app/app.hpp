#pragma once

#include <string>

#include "config/config.hpp"

namespace gatehouse::app {

/// Runs the server until SIGTERM/SIGINT; returns the process exit code. Throws std::runtime_error
/// on start-up failures (bad config, unreachable database, unreadable keys).
int Serve(const config::Config& config);

/// Applies pending migrations and reports them on stdout; returns the process exit code.
int Migrate(const config::Config& config);

struct UserCommandArgs {
    std::string action;  // add | passwd | disable | enable | role | delete | list
    std::string username;
    std::string role = "viewer";
};

/// `gatehouse user ...`: works on the configured database without a running server. Passwords
/// are read from GATEHOUSE_USER_PASSWORD or stdin. Throws core::Error / std::exception on failure.
int UserCommand(const config::Config& config, const UserCommandArgs& args);

/// `gatehouse vault rotate`: re-encrypts every secret under a new key in one transaction and
/// replaces `<data_dir>/vault.key`. Refuses when GATEHOUSE_VAULT_KEY is set. Throws std::exception.
int VaultRotate(const config::Config& config);

/// `gatehouse ca show|rotate`: prints the collectors' trusted CAs (creating the first on first use) as a PEM bundle,
/// or creates a new signing CA trusted beside the old one. Throws std::exception.
int CaCommand(const config::Config& config, const std::string& action);

}  // namespace gatehouse::app
