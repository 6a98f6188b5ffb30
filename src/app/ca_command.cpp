#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "app/app.hpp"
#include "app/data_dir.hpp"
#include "app/database.hpp"
#include "collectors/ca_store.hpp"
#include "collectors/collector_service.hpp"
#include "store/migrations.hpp"
#include "vault/vault.hpp"

namespace gatehouse::app {

int CaCommand(const config::Config& config, const std::string& action) {
    ::umask(0077);
    EnsureDataDir(config.data_dir);
    auto database = OpenDatabase(config);
    store::Migrate(*database);
    const char* vault_env = std::getenv("GATEHOUSE_VAULT_KEY");
    auto vault = vault::Vault::Open(std::filesystem::path(config.data_dir),
                                    vault_env ? std::optional<std::string>(vault_env) : std::nullopt, *database);
    if (action == "rotate") {
        const auto created = collectors::RotateCa(*database, *vault);
        // Servers trust it from their next sync (collectors.sync_interval_s); certificates are issued from it from
        // then on, and the old CA is retired once every collector has renewed.
        std::fprintf(stderr,
                     "created CA %s (valid until %s); the previous one stays trusted until every collector "
                     "has renewed\n",
                     created.id.c_str(), created.not_after.c_str());
        std::fputs(created.certificate.c_str(), stdout);
        return 0;
    }
    // `show`: every trusted CA, the signing one first; status lines go to stderr so stdout is a PEM bundle.
    for (const auto& ca : collectors::ShowCas(*database, *vault)) {
        std::fprintf(stderr, "CA %s%s: sha256 %s, valid until %s\n", ca.id.c_str(), ca.signing ? " (signing)" : "",
                     ca.sha256.c_str(), ca.not_after.c_str());
        std::fputs(ca.certificate.c_str(), stdout);
    }
    return 0;
}

}  // namespace gatehouse::app
