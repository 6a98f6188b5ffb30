#include <sodium.h>

#include <algorithm>
#include <stdexcept>

#include "core/log.hpp"
#include "vault/key_file.hpp"
#include "vault/vault.hpp"

namespace gatehouse::vault {
namespace detail {
namespace {

std::runtime_error Mismatch(const std::string& loaded_id, const std::string& recorded_id) {
    return std::runtime_error("vault key " + loaded_id + " does not match the key the database was sealed with (" +
                              recorded_id + "); refusing to start");
}

struct DatabaseState {
    std::optional<std::string> recorded_id;   // vault_meta key_id
    std::vector<std::string> secret_key_ids;  // distinct key ids of the stored secrets
};

DatabaseState ReadState(store::Database& database) {
    DatabaseState state;
    database.WithRead([&](store::Connection& c) {
        const auto meta = c.Execute("SELECT value FROM vault_meta WHERE key = ?", {store::Text(kMetaKeyId)});
        if (!meta.empty()) state.recorded_id = meta.rows.front().String(0);
        const auto ids = c.Execute("SELECT DISTINCT key_id FROM secrets ORDER BY key_id");
        for (const auto& row : ids.rows) state.secret_key_ids.push_back(row.String(0));
    });
    return state;
}

// The key file only comes into being for a database that has never held a secret: anything else
// would hide a lost key behind a fresh one and make every stored secret unreadable.
std::string LoadOrCreateKeyFile(const std::filesystem::path& data_dir, const DatabaseState& state) {
    const auto file = data_dir / "vault.key";
    if (auto key = ReadKeyFile(file)) return std::move(*key);
    if (state.recorded_id || !state.secret_key_ids.empty()) {
        const std::string& id = state.recorded_id ? *state.recorded_id : state.secret_key_ids.front();
        throw std::runtime_error("vault key file " + file.string() +
                                 " is missing but the database holds secrets sealed with key " + id +
                                 "; restore the key or set GATEHOUSE_VAULT_KEY");
    }
    std::string fresh = NewKey();
    if (WriteKeyFile(file, fresh, /*exclusive=*/true)) {
        SyncDirectory(data_dir);
        core::LogInfo("vault.key_created", {{"key_id", KeyId(fresh)}, {"file", file.string()}});
        return fresh;
    }
    // Another process created it between our read and our O_EXCL create: use theirs.
    Wipe(fresh);
    if (auto key = ReadKeyFile(file)) return std::move(*key);
    throw std::runtime_error("vault key file " + file.string() + " disappeared while it was being created");
}

bool Contains(const std::vector<std::string>& ids, const std::string& id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
}

}  // namespace

void LoadKeys(const std::filesystem::path& data_dir, const std::optional<std::string>& env_key,
              store::Database& database, LoadedKeys& out) {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    const DatabaseState state = ReadState(database);

    if (env_key) {
        auto key = ParseHexKey(*env_key);
        if (!key) throw std::runtime_error("GATEHOUSE_VAULT_KEY must be 64 hex digits");
        out.keys.push_back(std::move(*key));
    } else {
        out.keys.push_back(LoadOrCreateKeyFile(data_dir, state));
        // A rotation that committed but crashed before renaming vault.key.new over vault.key: the
        // database already names the new key, so use it (and keep the old one for decryption).
        if (state.recorded_id && KeyId(out.keys.front()) != *state.recorded_id) {
            auto pending = ReadKeyFile(data_dir / "vault.key.new");
            if (pending && KeyId(*pending) == *state.recorded_id) {
                out.keys.insert(out.keys.begin(), std::move(*pending));
                out.current_from_new_file = true;
                core::LogWarn("vault.rotation_unfinished",
                              {{"key_id", *state.recorded_id}, {"hint", "run `gatehouse vault rotate` to finish it"}});
            }
        }
    }
    const std::string current_id = KeyId(out.keys.front());
    if (state.recorded_id && current_id != *state.recorded_id) throw Mismatch(current_id, *state.recorded_id);

    std::vector<std::string> ids;
    for (const auto& key : out.keys) ids.push_back(KeyId(key));
    for (auto& key : ReadOldKeys(data_dir)) {
        std::string id = KeyId(key);
        if (Contains(ids, id)) {
            Wipe(key);
            continue;
        }
        ids.push_back(std::move(id));
        out.keys.push_back(std::move(key));
    }

    if (state.recorded_id) return;
    // No recorded id (first use): secrets can only exist if the record was lost; they must still
    // be readable with what we hold, or this key is the wrong one.
    for (const auto& id : state.secret_key_ids) {
        if (!Contains(ids, id)) throw Mismatch(current_id, id);
    }
    std::optional<std::string> stored;
    database.WithTransaction([&](store::Connection& c) {
        // ON CONFLICT DO NOTHING: two processes starting at once both try; the first one wins.
        c.Execute("INSERT INTO vault_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                  {store::Text(kMetaKeyId), store::Text(current_id)});
        const auto meta = c.Execute("SELECT value FROM vault_meta WHERE key = ?", {store::Text(kMetaKeyId)});
        if (!meta.empty()) stored = meta.rows.front().String(0);
    });
    if (!stored || *stored != current_id) throw Mismatch(current_id, stored.value_or("none"));
}

}  // namespace detail

std::unique_ptr<Vault> Vault::Open(const std::filesystem::path& data_dir, const std::optional<std::string>& env_key,
                                   store::Database& database) {
    detail::LoadedKeys loaded;
    detail::LoadKeys(data_dir, env_key, database, loaded);
    return std::make_unique<Vault>(std::move(loaded.keys));
}

}  // namespace gatehouse::vault
