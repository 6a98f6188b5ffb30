#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "app/app.hpp"
#include "app/data_dir.hpp"
#include "app/database.hpp"
#include "store/migrations.hpp"
#include "vault/vault.hpp"

namespace gatehouse::app {

namespace {

/// Servers sharing a PostgreSQL database each hold the vault key in memory, whatever their data directory: every
/// serving instance keeps one `gatehouse-listen` session open (auth sync).
void RefuseWhileServedFromPostgres(store::Database& database) {
    std::vector<std::string> clients;
    database.WithRead([&](store::Connection& c) {
        if (c.dialect() != store::Dialect::postgres) return;
        const auto rows = c.Execute(
            "SELECT COALESCE(host(client_addr), 'local socket') FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = 'gatehouse-listen' ORDER BY 1");
        for (const auto& row : rows.rows) clients.push_back(row.String(0));
    });
    if (clients.empty()) return;
    throw std::runtime_error(fmt::format(
        "{} gatehouse server(s) use this PostgreSQL database (from {}): they hold the vault key in memory, and their "
        "secrets would be unreadable after a rotation until they restart. Stop them all, run `gatehouse vault rotate`, "
        "then start them again (nothing was changed)",
        clients.size(), fmt::join(clients, ", ")));
}

}  // namespace

int VaultRotate(const config::Config& config) {
    ::umask(0077);  // the new key file is for gatehouse's user only
    RequireServedDataDir(config);
    // Held to the end: no server starts on this directory while its key changes.
    const DataDirLock rotating(config.data_dir, DataDirLock::Mode::rotating);
    auto database = OpenDatabase(config);
    RefuseWhileServedFromPostgres(*database);
    store::Migrate(*database);
    const std::size_t count = vault::Rotate(std::filesystem::path(config.data_dir), *database);
    // Rotate recorded the new key id; only the id is ever printed, never the key.
    std::string key_id;
    database->WithRead([&](store::Connection& c) {
        const auto meta = c.Execute("SELECT value FROM vault_meta WHERE key = ?", {store::Text("key_id")});
        if (!meta.empty()) key_id = meta.rows.front().String(0);
    });
    std::printf("re-encrypted %zu secret(s) under key %s\n", count, key_id.c_str());
    return 0;
}

}  // namespace gatehouse::app
