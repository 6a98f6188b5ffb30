#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/errc.hpp"
#include "ssh/ssh_client.hpp"

namespace gatehouse::pgmon {

/// Why a monitored PostgreSQL could not be read: the problem's `kind`.
enum class FailureKind { unreachable, auth_failed, timeout, insufficient_privilege, tunnel_failed, not_configured };
inline constexpr std::string_view kFailureKinds[] = {
    "unreachable", "auth_failed", "timeout", "insufficient_privilege", "tunnel_failed", "not_configured"};
std::string_view FailureKindName(FailureKind kind) noexcept;

/// The error a failure becomes: not_configured is 409, timeout 503, the rest 502; `kind` names it. `detail` must be
/// safe to show (never a password).
core::Error Failure(FailureKind kind, std::string detail);

/// Where and how to connect to one monitored PostgreSQL, the password revealed for the call.
struct Endpoint {
    std::string server_id;
    std::string host;  // with `ssh`: as seen from the SSH server
    int port = 5432;
    std::string user;
    std::string password;
    std::string database;
    std::string sslmode = "prefer";
    std::string pool_class = "default";
    std::optional<ssh::Target> ssh;  // via_ssh: through this server's SSH session
};

/// Connections a pool of one class keeps at least (when they were opened) and opens at most.
struct PoolLimits {
    int min = 1;
    int max = 5;
};

struct PoolOptions {
    PoolLimits default_class{1, 5};
    PoolLimits stats_db{2, 10};
    PoolLimits high_load{5, 20};
    std::chrono::seconds connect_timeout{5};
    int statement_timeout_ms = 5000;
    int lock_timeout_ms = 1000;
    std::chrono::seconds idle_timeout{300};  // idle connections beyond `min` closed after this
    std::chrono::milliseconds acquire_timeout{5000};
    std::chrono::milliseconds backoff_base{500};  // after a failed connect; doubles up to backoff_max
    std::chrono::milliseconds backoff_max{30000};
};

/// One pool, for GET /pools and /metrics.
struct PoolRow {
    std::string server_id;
    std::string database;
    std::string pool_class;
    int size = 0;  // open connections (in use + idle)
    int in_use = 0;
    int idle = 0;
    int waiting = 0;
    std::uint64_t created_total = 0;
    std::uint64_t errors_total = 0;
};

/// The application_name of every monitoring session: how gatehouse recognises (and spares) its own.
inline constexpr std::string_view kApplicationName = "gatehouse-monitor";

}  // namespace gatehouse::pgmon
