#include "pgmon/failure.hpp"

#include <array>

namespace gatehouse::pgmon {

std::string_view FailureKindName(FailureKind kind) noexcept { return kFailureKinds[static_cast<int>(kind)]; }

core::Error Failure(FailureKind kind, std::string detail) {
    core::errc code = core::errc::bad_gateway;
    if (kind == FailureKind::not_configured) code = core::errc::conflict;
    if (kind == FailureKind::timeout) code = core::errc::unavailable;
    core::Error error(code, std::move(detail));
    error.Kind(std::string(FailureKindName(kind)));
    if (kind == FailureKind::timeout) error.RetryAfter(5);
    return error;
}

FailureKind ClassifyConnectFailure(std::string_view message) noexcept {
    static constexpr std::array<std::string_view, 7> kAuth = {
        "password authentication failed", "authentication failed", "no pg_hba.conf entry", "does not exist",
        "no password supplied",           "password is required",  "too many connections"};
    if (message.find("timeout expired") != std::string_view::npos) return FailureKind::timeout;
    // "too many connections for role" is the server refusing this login: counted with authentication.
    for (const auto needle : kAuth)
        if (message.find(needle) != std::string_view::npos) return FailureKind::auth_failed;
    return FailureKind::unreachable;
}

std::optional<FailureKind> ClassifyQueryFailure(std::string_view sqlstate) noexcept {
    if (sqlstate == "57014" || sqlstate == "55P03") return FailureKind::timeout;  // statement or lock timeout
    if (sqlstate == "42501") return FailureKind::insufficient_privilege;
    // Class 08 (connection exception) and 57P (operator intervention: shutdown, crash): the server went.
    if (sqlstate.starts_with("08") || sqlstate.starts_with("57P") || sqlstate.empty()) return FailureKind::unreachable;
    return std::nullopt;
}

std::string CleanMessage(std::string_view message) {
    std::string out;
    for (const char ch : message) out.push_back(ch == '\n' || ch == '\r' || ch == '\t' ? ' ' : ch);
    while (!out.empty() && out.back() == ' ') out.pop_back();
    if (out.starts_with("ERROR:  ")) out.erase(0, 8);
    if (out.size() > 500) out.resize(500);
    return out.empty() ? "no message from libpq" : out;
}

core::Error ErrorFor(PGconn* conn, const PGresult* result) {
    if (result == nullptr || PQstatus(conn) == CONNECTION_BAD) {
        return Failure(FailureKind::unreachable,
                       "the connection to PostgreSQL broke: " + CleanMessage(PQerrorMessage(conn)));
    }
    const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    const std::string sqlstate = state != nullptr ? state : "";
    const std::string message = CleanMessage(PQresultErrorMessage(result));
    const auto kind = ClassifyQueryFailure(sqlstate);
    if (!kind) {
        core::Error error(core::errc::bad_gateway, "a monitoring query failed: " + message);
        error.Kind("query_failed");
        return error;
    }
    switch (*kind) {
        case FailureKind::timeout:
            return Failure(*kind, "the monitoring query was stopped by the server's statement or lock timeout (" +
                                      message + "); nothing was left open");
        case FailureKind::insufficient_privilege:
            return Failure(*kind, "the monitoring role lacks a privilege: " + message +
                                      " (grant it pg_monitor; cancel and terminate also need pg_signal_backend)");
        default:
            return Failure(*kind, "PostgreSQL went away: " + message);
    }
}

void ThrowIfFailed(PGconn* conn, const PGresult* result) {
    if (result != nullptr) {
        const auto status = PQresultStatus(result);
        if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) return;
    }
    throw ErrorFor(conn, result);
}

}  // namespace gatehouse::pgmon
