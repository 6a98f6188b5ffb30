#pragma once

#include <string>
#include <vector>

namespace gatehouse::agent {

/// `gatehouse agent` settings: flags, or a TOML file with the same keys (flags win).
struct AgentOptions {
    std::string server;                 // https://HOST:8443: the collectors' mTLS listener
    std::string api_url;                // http(s)://HOST:8080: where it enrols
    std::string enrol_token;            // one-time enrolment token (or an operator's API token)
    std::vector<std::string> postgres;  // postgresql:// URLs monitored (passwords stay on this host)
    std::string state_dir = "./gatehouse-agent";
    std::string name;                         // default: the host name
    std::string hostname;                     // default: the host name
    std::string api_ca_file;                  // CA bundle for an https api_url (default: the system's)
    std::size_t buffer_max_samples = 200000;  // spooled on disk while the server is unreachable; oldest dropped
    std::size_t batch_max_samples = 2000;
    int config_poll_s = 30;
    std::string config_file;
};

/// Reads `file` (TOML) into `options` for every key the flags left empty. Throws std::runtime_error naming the key.
void LoadAgentToml(const std::string& file, AgentOptions& options, const std::vector<std::string>& given_flags);

/// `gatehouse agent`: enrols once, then collects and pushes until SIGTERM/SIGINT. Returns the exit code.
int RunAgent(AgentOptions options);

}  // namespace gatehouse::agent
