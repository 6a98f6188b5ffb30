#pragma once

#include <memory>
#include <string>

#include "store/database.hpp"
#include "store/postgres_connection.hpp"

namespace gatehouse::store::detail {

/// LISTEN on `channel` over a connection of its own, on a thread of its own, until the result is destroyed.
std::unique_ptr<Subscription> ListenPostgres(std::string url, SessionSettings settings, std::string channel,
                                             ListenCallbacks callbacks);

}  // namespace gatehouse::store::detail
