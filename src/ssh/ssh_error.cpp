// Failure kinds of SSH connections and what they mean to callers.
#include <algorithm>
#include <cctype>

#include "ssh/ssh_client.hpp"

namespace gatehouse::ssh {
namespace {

core::errc ErrcFor(FailureKind kind) noexcept {
    switch (kind) {
        case FailureKind::timeout:
            return core::errc::timeout;
        case FailureKind::host_key_mismatch:
            return core::errc::conflict;
        default:
            // The remote side (or the way to it) cannot take the work now; never a 401 of our own API.
            return core::errc::unavailable;
    }
}

std::string Lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

}  // namespace

std::string_view FailureKindName(FailureKind kind) noexcept {
    switch (kind) {
        case FailureKind::dns:
            return "dns";
        case FailureKind::refused:
            return "refused";
        case FailureKind::timeout:
            return "timeout";
        case FailureKind::auth_failed:
            return "auth_failed";
        case FailureKind::host_key_mismatch:
            return "host_key_mismatch";
        case FailureKind::protocol:
            return "protocol";
    }
    return "protocol";
}

SshError::SshError(FailureKind kind, std::string detail, std::string seen_host_key)
    : core::Error(ErrcFor(kind), std::move(detail)), kind_(kind), seen_host_key_(std::move(seen_host_key)) {}

FailureKind ClassifyConnectError(std::string_view libssh_error) noexcept {
    std::string text;
    try {
        text = Lower(libssh_error);
    } catch (...) {
        return FailureKind::protocol;
    }
    const auto has = [&text](std::string_view needle) { return text.find(needle) != std::string::npos; };
    // libssh 0.10: "Failed to resolve hostname X (Name or service not known)", plus getaddrinfo's
    // other texts. These phrases cannot be part of a host name (spaces), so the host in the message
    // cannot fake them.
    if (has("failed to resolve hostname") || has("name or service not known") ||
        has("temporary failure in name resolution") || has("no address associated with hostname") ||
        has("name does not resolve")) {
        return FailureKind::dns;
    }
    if (has("connection refused")) return FailureKind::refused;
    // "Timeout connecting to X" (no banner / no TCP answer) and socket-level "timed out".
    if (has("timeout connecting") || has("timed out") || text.starts_with("timeout")) return FailureKind::timeout;
    return FailureKind::protocol;
}

}  // namespace gatehouse::ssh
