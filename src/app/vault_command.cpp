#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "app/app.hpp"
#include "app/data_dir.hpp"
#include "app/database.hpp"
#include "store/migrations.hpp"
#include "vault/vault.hpp"

namespace gatehouse::app {

int VaultRotate(const config::Config& config) {
    ::umask(0077);  // the new key file is for gatehouse's user only
    RequireServedDataDir(config);
    auto database = OpenDatabase(config);
    store::Migrate(*database);
    const std::size_t count = vault::Rotate(std::filesystem::path(config.data_dir), *database);
    // Rotate recorded the new key id; only the id is ever printed, never the key.
    std::string key_id;
    database->WithRead([&](store::Connection& c) {
        const auto meta = c.Execute("SELECT value FROM vault_meta WHERE key = ?", {store::Text("key_id")});
        if (!meta.empty()) key_id = meta.rows.front().String(0);
    });
    std::printf("re-encrypted %zu secret(s) under key %s\n", count, key_id.c_str());
    std::printf("restart a running gatehouse server so that it loads the new key\n");
    return 0;
}

}  // namespace gatehouse::app
