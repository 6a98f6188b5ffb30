#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/paging.hpp"

namespace gatehouse::fleet {

struct KeyView {
    std::string id;
    std::string name;
    std::string type;
    int bits = 0;
    std::string fingerprint;
    std::string comment;
    std::string public_key;
    bool has_private_key = false;
    std::string created_at;
    std::string updated_at;
};

/// libpq's sslmode values an endpoint may use.
inline constexpr std::string_view kSslModes[] = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"};

struct PostgresEndpoint {
    /// Where PostgreSQL listens; nullopt: the server's address. With via_ssh the connection is made from the
    /// server itself, so this is usually 127.0.0.1.
    std::optional<std::string> host;
    int port = 5432;
    std::string sslmode = "prefer";
    /// Connect through the server's SSH session (a direct-tcpip channel) instead of over the network.
    bool via_ssh = false;
    std::string user = "postgres";
    std::string database = "postgres";
    std::string pool_class = "default";  // default | stats_db | high_load
    bool has_password = false;
    /// The stored password was approved for another endpoint (the server or its port moved): it is not sent
    /// until a new one is given or an admin accepts the server's new host key.
    bool password_locked = false;
};

/// A server's last known status: kServerStatuses are all its values.
inline constexpr std::string_view kServerStatuses[] = {"unknown", "online", "offline", "auth_failed",
                                                       "host_key_mismatch"};

/// What GET /servers narrows the list to; an absent field does not narrow it.
struct ServerFilter {
    std::optional<std::string> tag;     // servers carrying this tag
    std::optional<std::string> status;  // one of kServerStatuses
    std::optional<std::string> q;       // in the name, address or description, ignoring case
};

struct ServerView {
    std::string id;
    std::string name;
    std::string address;
    int ssh_port = 22;
    std::string ssh_user;
    std::string auth_method;  // password | key
    bool has_password = false;
    std::optional<std::string> ssh_key_id;
    std::optional<std::string> host_key_fingerprint;
    std::optional<std::string> pending_host_key_fingerprint;
    /// The server moved (address or port) and no new credentials came with the move: the stored ones are sent
    /// only to a host presenting the pinned key, or after an admin accepted the new host's key.
    bool credentials_locked = false;
    std::vector<std::string> tags;
    std::string description;
    std::optional<PostgresEndpoint> postgres;
    std::string status = "unknown";
    std::optional<std::string> last_checked;
    std::string created_at;
    std::string updated_at;
};

/// What a create or full update says; write-only secrets ride along and go to the vault.
struct ServerInput {
    std::string name;
    std::string address;
    int ssh_port = 22;
    std::string ssh_user;
    std::string auth_method;
    std::optional<std::string> password;  // nullopt: keep the stored one (update) / none (create)
    std::optional<std::string> ssh_key_id;
    bool ssh_key_id_given = false;                    // the request named the key (fresh credentials for key auth)
    std::optional<std::string> host_key_fingerprint;  // admin pre-set; nullopt: keep
    std::vector<std::string> tags;
    std::string description;
    std::optional<PostgresEndpoint> postgres;
    std::optional<std::string> postgres_password;  // nullopt: keep
};

template <class T>
using Page = store::Page<T>;

}  // namespace gatehouse::fleet
