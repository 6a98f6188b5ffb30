#pragma once
// How libpq's failures become pgmon Failures. Pure functions, unit-tested.

#include <libpq-fe.h>

#include <string>
#include <string_view>

#include "pgmon/pgmon_types.hpp"

namespace gatehouse::pgmon {

/// The kind of a failed connection attempt, from libpq's message (PQerrorMessage).
FailureKind ClassifyConnectFailure(std::string_view message) noexcept;

/// The kind of a failed statement, from its SQLSTATE; nullopt for errors that are none of the kinds (a query
/// gatehouse got wrong, an unsupported server): those are 502 with kind `query_failed`.
std::optional<FailureKind> ClassifyQueryFailure(std::string_view sqlstate) noexcept;

/// libpq's message, trimmed to one clean line.
std::string CleanMessage(std::string_view message);

/// The Failure a failed `result` (nullptr: the connection failed) is.
core::Error ErrorFor(PGconn* conn, const PGresult* result);

/// Throws the Failure for `result` (nullptr: the connection failed) unless it succeeded.
void ThrowIfFailed(PGconn* conn, const PGresult* result);

}  // namespace gatehouse::pgmon
