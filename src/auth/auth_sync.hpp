#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>

#include "auth/identity_service.hpp"
#include "store/database.hpp"

namespace gatehouse::auth {

/// Keeps an IdentityService's in-memory auth view in step with changes made by other processes: instances sharing
/// PostgreSQL announce each change with NOTIFY (applied within milliseconds), and a poll of the auth epoch catches
/// anything missed (a lost notification, a `gatehouse user` command on SQLite) with a full reload. A lost
/// notification connection is reconnected with backoff and followed by a full reload.
class AuthSync {
  public:
    AuthSync(store::Database& database, IdentityService& identity);
    ~AuthSync();
    AuthSync(const AuthSync&) = delete;
    AuthSync& operator=(const AuthSync&) = delete;

    /// Blocking, for start-up: the first full load. Throws when the store cannot be read.
    void LoadBlocking();
    /// Starts listening for other instances' changes (PostgreSQL; nothing on SQLite).
    void Listen();
    /// Scheduler job: reads the auth epoch and reloads when the view missed a change; marks the view synced.
    boost::asio::awaitable<void> Poll();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gatehouse::auth
