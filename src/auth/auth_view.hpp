#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "auth/principal.hpp"

namespace gatehouse::auth {

/// A user as every authenticated request must see it.
struct UserEntry {
    std::string id;
    std::string username;
    Role role = Role::viewer;
    bool disabled = false;
    std::int64_t generation = 0;  // access tokens of older generations are void
    std::string created_at;
    std::string updated_at;
    std::int64_t version = 0;  // the auth epoch of the user's last change
};

struct ApiTokenEntry {
    std::string id;
    std::string user_id;
    std::string name;
    std::string token_hash;
    Role role = Role::viewer;
    std::optional<std::int64_t> expires_epoch;
    bool revoked = false;
    std::int64_t version = 0;
};

/// One consistent read of the auth state in the database (a full reload).
struct AuthSnapshot {
    std::int64_t version = 0;  // the auth epoch it reflects
    std::vector<UserEntry> users;
    std::vector<ApiTokenEntry> tokens;                                   // revoked ones left out
    std::vector<std::pair<std::string, std::int64_t>> denied_jtis;       // jti, expiry (epoch s)
    std::vector<std::pair<std::string, std::int64_t>> revoked_families;  // family, until (epoch s)
};

/// The in-process view of the auth state that authenticated requests are checked against, so the hot path reads
/// no database: users (generation, role, disabled), API tokens, denied access-token ids and revoked refresh
/// families. Every change made in this process is applied right after its commit; changes of other processes
/// arrive through AuthSync. Every change bumps the database's auth epoch (a dense counter), so the view knows
/// whether it has seen all of them: `covered()` is the epoch up to which nothing is missing.
/// Thread-safe.
class AuthView {
  public:
    using Clock = std::chrono::steady_clock;

    std::shared_ptr<const UserEntry> User(std::string_view id) const;
    /// true: the user is known to be deleted (no database read needed to refuse).
    bool UserDeleted(std::string_view id) const;
    std::shared_ptr<const ApiTokenEntry> TokenByHash(std::string_view hash) const;
    std::shared_ptr<const ApiTokenEntry> TokenById(std::string_view id) const;
    bool JtiDenied(std::string_view jti) const;
    bool FamilyRevoked(std::string_view family) const;

    /// A hash that named no token when the database was asked (tokens are random: it never will).
    bool KnownBad(std::string_view hash) const;
    void RememberBad(std::string hash);

    /// Applied when `user.version` is not older than what the view holds.
    void PutUser(UserEntry user);
    void RemoveUser(const std::string& id, std::int64_t version);
    void PutToken(ApiTokenEntry token);
    /// Every token of the user is revoked (password change, disabling, deletion).
    void RevokeTokensOf(const std::string& user_id, std::int64_t version);
    void DenyJti(std::string jti, std::int64_t expires_epoch);
    void RevokeFamily(std::string family, std::int64_t until_epoch);

    /// Marks the change with auth epoch `version` as applied.
    void Cover(std::int64_t version);
    /// Merges a full reload: nothing newer the view already holds is replaced, and every epoch up to the
    /// snapshot's is covered.
    void Merge(const AuthSnapshot& snapshot);
    std::int64_t covered() const;

    /// The view may be trusted while it was synced within `max_age` (see AuthSync).
    void MarkSynced(Clock::time_point when = Clock::now());
    bool Fresh(std::chrono::milliseconds max_age, Clock::time_point now = Clock::now()) const;

    /// Grows with every change: a cheap test of whether anything changed since a live check.
    std::uint64_t changes() const noexcept { return changes_.load(std::memory_order_acquire); }

    /// Drops denials and revocations past their expiry, and deletion marks older than the covered epoch.
    void Purge(std::int64_t now_epoch);

  private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>()(s); }
    };
    template <class V>
    using Map = std::unordered_map<std::string, V, Hash, std::equal_to<>>;

    void Changed() noexcept { changes_.fetch_add(1, std::memory_order_acq_rel); }
    void PutTokenLocked(ApiTokenEntry token);
    void CoverLocked(std::int64_t version);

    mutable std::shared_mutex mutex_;
    Map<std::shared_ptr<const UserEntry>> users_;
    Map<std::int64_t> deleted_users_;  // id -> version of the deletion
    Map<std::shared_ptr<const ApiTokenEntry>> tokens_by_hash_;
    Map<std::string> token_hash_by_id_;
    Map<std::int64_t> denied_jtis_;         // -> expiry
    Map<std::int64_t> revoked_families_;    // -> until
    Map<Clock::time_point> known_bad_;      // token hash -> when
    std::int64_t covered_ = -1;             // nothing loaded yet
    std::set<std::int64_t> applied_ahead_;  // applied epochs above covered_, waiting for the gap to close
    std::atomic<std::uint64_t> changes_{0};
    std::atomic<std::int64_t> synced_at_{0};  // Clock ticks of the last sync
};

}  // namespace gatehouse::auth
