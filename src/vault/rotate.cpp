#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <stdexcept>

#include "core/errc.hpp"
#include "core/log.hpp"
#include "vault/key_file.hpp"
#include "vault/vault.hpp"

namespace gatehouse::vault {
namespace {
namespace fs = std::filesystem;

// Two rotations at once would each treat the other's vault.key.new as stale; one lock on the data
// directory keeps the file dance single-file. (The database check below guards the rows anyway.)
class DirectoryLock {
  public:
    explicit DirectoryLock(const fs::path& dir) : fd_(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
        if (fd_ < 0)
            throw std::runtime_error("cannot open data directory " + dir.string() + ": " + std::strerror(errno));
        if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
            ::close(fd_);
            throw std::runtime_error("another `gatehouse vault rotate` is running on " + dir.string());
        }
    }
    ~DirectoryLock() { ::close(fd_); }
    DirectoryLock(const DirectoryLock&) = delete;
    DirectoryLock& operator=(const DirectoryLock&) = delete;

  private:
    int fd_;
};

struct WipedString {
    std::string value;
    ~WipedString() { detail::Wipe(value); }
};

fs::path OldKeyFile(const fs::path& data_dir, const std::string& key_id) {
    return data_dir / ("vault.key." + key_id + ".old");
}

void RemoveQuietly(const fs::path& file) noexcept {
    std::error_code ec;
    fs::remove(file, ec);
}

// The database already names the key in vault.key.new (a rotation crashed between its commit and
// the rename): complete the rename so the key file matches the database again.
void FinishInterruptedRotation(const fs::path& data_dir, const detail::LoadedKeys& loaded) {
    const auto previous_old = OldKeyFile(data_dir, KeyId(loaded.keys.at(1)));
    detail::WriteKeyFile(previous_old, loaded.keys.at(1), /*exclusive=*/false);
    detail::SyncDirectory(data_dir);
    if (::rename((data_dir / "vault.key.new").c_str(), (data_dir / "vault.key").c_str()) != 0) {
        throw std::runtime_error("cannot rename vault.key.new over vault.key: " + std::string(std::strerror(errno)));
    }
    detail::SyncDirectory(data_dir);
    RemoveQuietly(previous_old);
    core::LogInfo("vault.rotation_finished", {{"key_id", KeyId(loaded.keys.front())}});
}

std::optional<std::string> RecordedKeyId(store::Database& database) noexcept {
    try {
        std::optional<std::string> id;
        database.WithRead([&](store::Connection& c) {
            const auto meta =
                c.Execute("SELECT value FROM vault_meta WHERE key = ?", {store::Text(detail::kMetaKeyId)});
            if (!meta.empty()) id = meta.rows.front().String(0);
        });
        return id;
    } catch (...) {
        return std::nullopt;
    }
}

}  // namespace

std::size_t Rotate(const fs::path& data_dir, store::Database& database) {
    if (const char* env = std::getenv(std::string(detail::kEnvVariable).c_str()); env != nullptr && *env != '\0') {
        throw std::runtime_error(
            "vault rotate refuses to run while GATEHOUSE_VAULT_KEY is set: gatehouse cannot replace a key it does "
            "not own; unset it to rotate the key file, or rotate the variable by hand");
    }
    DirectoryLock lock(data_dir);
    const fs::path key_file = data_dir / "vault.key";
    const fs::path new_file = data_dir / "vault.key.new";

    detail::LoadedKeys loaded;
    detail::LoadKeys(data_dir, std::nullopt, database, loaded);
    if (loaded.current_from_new_file) FinishInterruptedRotation(data_dir, loaded);

    WipedString current{loaded.keys.front()};
    const std::string old_id = KeyId(current.value);
    const fs::path old_file = OldKeyFile(data_dir, old_id);
    const Vault old_vault(std::move(loaded.keys));
    WipedString next{detail::NewKey()};
    const std::string new_id = KeyId(next.value);
    const Vault new_vault(std::vector<std::string>{next.value});

    // Under the lock and with the database naming vault.key, a leftover vault.key.new comes from a
    // rotation that never committed: the database never referred to it.
    if (!detail::WriteKeyFile(new_file, next.value, /*exclusive=*/true)) {
        RemoveQuietly(new_file);
        if (!detail::WriteKeyFile(new_file, next.value, /*exclusive=*/true)) {
            throw std::runtime_error("cannot create " + new_file.string());
        }
    }
    std::size_t count = 0;
    try {
        // Kept until the commit so a crash at any point leaves every key the database may name on disk.
        detail::WriteKeyFile(old_file, current.value, /*exclusive=*/false);
        detail::SyncDirectory(data_dir);
        database.WithTransaction([&](store::Connection& c) {
            count = 0;
            // First, so concurrent Seal() calls (which check the recorded key id) wait for us or fail.
            const auto updated = c.Execute("UPDATE vault_meta SET value = ? WHERE key = ? AND value = ?",
                                           {store::Text(new_id), store::Text(detail::kMetaKeyId), store::Text(old_id)});
            if (updated.affected != 1) {
                throw std::runtime_error(
                    "the vault key changed while rotating (another rotation?); nothing was changed");
            }
            const auto rows = c.Execute("SELECT owner_type, owner_id, purpose FROM secrets ORDER BY id");
            for (const auto& row : rows.rows) {
                const Owner owner{row.String(0), row.String(1), row.String(2)};
                auto plaintext = old_vault.Reveal(c, owner);
                if (!plaintext) continue;
                WipedString wiped{std::move(*plaintext)};
                new_vault.Seal(c, owner, wiped.value);
                ++count;
            }
        });
    } catch (...) {
        // A failed COMMIT may still have committed (connection lost): only the database knows.
        // Delete the new key only when it positively still names the old one.
        const auto recorded = RecordedKeyId(database);
        if (recorded != new_id) {
            if (recorded == old_id) {
                RemoveQuietly(new_file);
                RemoveQuietly(old_file);
            }
            try {
                throw;
            } catch (const core::Error& e) {
                // The CLI shows the internal detail: it names the secret and key id, never plaintext.
                throw std::runtime_error(std::string("vault rotation failed, nothing was changed: ") + e.what() + " (" +
                                         e.internal() + ")");
            }
        }
    }

    // Committed: the database now names the new key. rename() is atomic, so vault.key always
    // holds either key; a crash before it is repaired by the next Open/Rotate (vault.key.new).
    if (::rename(new_file.c_str(), key_file.c_str()) != 0) {
        throw std::runtime_error("re-encrypted " + std::to_string(count) + " secret(s) under key " + new_id +
                                 " but cannot rename " + new_file.string() + " over " + key_file.string() + ": " +
                                 std::strerror(errno) + "; rename it by hand");
    }
    detail::SyncDirectory(data_dir);
    RemoveQuietly(old_file);
    detail::SyncDirectory(data_dir);
    core::LogInfo("vault.rotated", {{"old_key_id", old_id}, {"key_id", new_id}, {"secrets", count}});
    return count;
}

}  // namespace gatehouse::vault
