#pragma once
// What the agent keeps in its state directory: its key (0600, never sent), certificate, the CAs it trusts, its id,
// token and config. Files are replaced whole (write, then rename), so a crash never leaves half a file.

#include <boost/json/object.hpp>
#include <filesystem>
#include <optional>
#include <string>

namespace gatehouse::agent {

struct AgentState {
    std::string collector_id;
    std::string token;
    std::int64_t token_expires = 0;        // Unix seconds
    std::int64_t certificate_expires = 0;  // Unix seconds
    std::int64_t certificate_issued = 0;   // Unix seconds: when this agent received it
    std::string config_etag;
    boost::json::object config;
};

void WriteFileAtomically(const std::filesystem::path& path, const std::string& text);
std::optional<AgentState> ReadState(const std::filesystem::path& dir);
void WriteState(const std::filesystem::path& dir, const AgentState& state);

/// The agent's EC P-256 key in `dir`/key.pem, created (0600) when missing; returns its PEM.
std::string EnsureKey(const std::filesystem::path& dir);
/// A PEM CSR for `key_pem` with CN `common_name`.
std::string MakeCsr(const std::string& key_pem, const std::string& common_name);

}  // namespace gatehouse::agent
