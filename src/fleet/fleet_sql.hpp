#pragma once

#include "fleet/fleet_types.hpp"
#include "store/database.hpp"

namespace gatehouse::fleet::sql {

using store::Connection;

std::optional<KeyView> FindKey(Connection& c, std::string_view id);
std::optional<KeyView> FindKeyByFingerprint(Connection& c, std::string_view fingerprint);
std::vector<KeyView> ListKeys(Connection& c, std::string_view after_id, std::size_t limit);
/// Throws core::Error(already_exists) for a taken name.
void InsertKey(Connection& c, const KeyView& key);
void UpdateKey(Connection& c, const KeyView& key);
void DeleteKey(Connection& c, std::string_view id);

std::optional<ServerView> FindServer(Connection& c, std::string_view id);
/// The server whose id, or else whose name, is `id_or_name`.
std::optional<ServerView> FindServerByIdOrName(Connection& c, std::string_view id_or_name);
std::vector<ServerView> ListServers(Connection& c, std::string_view after_id, std::size_t limit,
                                    const ServerFilter& filter = {});
std::vector<ServerView> ServersUsingKey(Connection& c, std::string_view key_id);
void InsertServer(Connection& c, const ServerView& server);
void UpdateServer(Connection& c, const ServerView& server);
void DeleteServer(Connection& c, std::string_view id);
/// Apps deployed on the server (they keep it from being deleted).
std::int64_t CountAppsOn(Connection& c, std::string_view server_id);
void DetachKey(Connection& c, std::string_view key_id);
void SetHostKeys(Connection& c, std::string_view id, const std::optional<std::string>& pinned,
                 const std::optional<std::string>& pending);
void SetCredentialsLocked(Connection& c, std::string_view id, bool locked);
void SetStatus(Connection& c, std::string_view id, std::string_view status, std::string_view checked_at);

}  // namespace gatehouse::fleet::sql
