#include "auth/auth_view.hpp"

#include <mutex>

namespace gatehouse::auth {
namespace {

// A spray of random API tokens must not grow memory without bound: past this many remembered bad hashes the
// memory is cleared (the cost is one database read per forgotten hash).
constexpr std::size_t kMaxKnownBad = 10000;
constexpr auto kKnownBadFor = std::chrono::minutes(10);

template <class M>
auto Find(const M& map, std::string_view key) -> typename M::mapped_type {
    const auto it = map.find(key);
    return it == map.end() ? typename M::mapped_type{} : it->second;
}

}  // namespace

std::shared_ptr<const UserEntry> AuthView::User(std::string_view id) const {
    std::shared_lock lock(mutex_);
    return Find(users_, id);
}

bool AuthView::UserDeleted(std::string_view id) const {
    std::shared_lock lock(mutex_);
    return deleted_users_.find(id) != deleted_users_.end();
}

std::shared_ptr<const ApiTokenEntry> AuthView::TokenByHash(std::string_view hash) const {
    std::shared_lock lock(mutex_);
    return Find(tokens_by_hash_, hash);
}

std::shared_ptr<const ApiTokenEntry> AuthView::TokenById(std::string_view id) const {
    std::shared_lock lock(mutex_);
    const auto hash = token_hash_by_id_.find(id);
    return hash == token_hash_by_id_.end() ? nullptr : Find(tokens_by_hash_, hash->second);
}

bool AuthView::JtiDenied(std::string_view jti) const {
    std::shared_lock lock(mutex_);
    return denied_jtis_.find(jti) != denied_jtis_.end();
}

bool AuthView::FamilyRevoked(std::string_view family) const {
    std::shared_lock lock(mutex_);
    return revoked_families_.find(family) != revoked_families_.end();
}

bool AuthView::KnownBad(std::string_view hash) const {
    std::shared_lock lock(mutex_);
    const auto it = known_bad_.find(hash);
    return it != known_bad_.end() && Clock::now() - it->second < kKnownBadFor;
}

void AuthView::RememberBad(std::string hash) {
    std::unique_lock lock(mutex_);
    if (known_bad_.size() >= kMaxKnownBad) known_bad_.clear();
    known_bad_[std::move(hash)] = Clock::now();
}

void AuthView::PutUser(UserEntry user) {
    {
        std::unique_lock lock(mutex_);
        if (const auto gone = deleted_users_.find(user.id); gone != deleted_users_.end()) {
            if (gone->second > user.version) return;
            deleted_users_.erase(gone);
        }
        auto& slot = users_[user.id];
        if (slot && slot->version > user.version) return;
        slot = std::make_shared<const UserEntry>(std::move(user));
    }
    Changed();
}

void AuthView::RemoveUser(const std::string& id, std::int64_t version) {
    {
        std::unique_lock lock(mutex_);
        if (const auto it = users_.find(id); it != users_.end()) {
            if (it->second->version > version) return;
            users_.erase(it);
        }
        auto& mark = deleted_users_[id];
        mark = std::max(mark, version);
    }
    Changed();
}

void AuthView::PutTokenLocked(ApiTokenEntry token) {
    auto& slot = tokens_by_hash_[token.token_hash];
    if (slot && slot->version > token.version) return;
    token_hash_by_id_[token.id] = token.token_hash;
    slot = std::make_shared<const ApiTokenEntry>(std::move(token));
}

void AuthView::PutToken(ApiTokenEntry token) {
    {
        std::unique_lock lock(mutex_);
        known_bad_.erase(token.token_hash);
        PutTokenLocked(std::move(token));
    }
    Changed();
}

void AuthView::RevokeTokensOf(const std::string& user_id, std::int64_t version) {
    {
        std::unique_lock lock(mutex_);
        for (auto& [hash, token] : tokens_by_hash_) {
            if (token->user_id != user_id || token->revoked || token->version > version) continue;
            auto revoked = *token;
            revoked.revoked = true;
            revoked.version = version;
            token = std::make_shared<const ApiTokenEntry>(std::move(revoked));
        }
    }
    Changed();
}

void AuthView::DenyJti(std::string jti, std::int64_t expires_epoch) {
    {
        std::unique_lock lock(mutex_);
        auto& expiry = denied_jtis_[std::move(jti)];
        expiry = std::max(expiry, expires_epoch);
    }
    Changed();
}

void AuthView::RevokeFamily(std::string family, std::int64_t until_epoch) {
    {
        std::unique_lock lock(mutex_);
        auto& until = revoked_families_[std::move(family)];
        until = std::max(until, until_epoch);
    }
    Changed();
}

void AuthView::CoverLocked(std::int64_t version) {
    if (version <= covered_) return;
    applied_ahead_.insert(version);
    // Epochs are dense: the covered mark moves over every applied epoch that closes the gap.
    while (!applied_ahead_.empty() && *applied_ahead_.begin() <= covered_ + 1) {
        covered_ = std::max(covered_, *applied_ahead_.begin());
        applied_ahead_.erase(applied_ahead_.begin());
    }
}

void AuthView::Cover(std::int64_t version) {
    std::unique_lock lock(mutex_);
    CoverLocked(version);
}

void AuthView::Merge(const AuthSnapshot& snapshot) {
    {
        std::unique_lock lock(mutex_);
        // Every change up to covered_ is applied already: an older snapshot has nothing to add, and merging it
        // could bring back a token or user whose removal was purged since.
        if (snapshot.version <= covered_) return;
        Map<bool> present;
        for (const auto& user : snapshot.users) {
            present[user.id] = true;
            if (const auto gone = deleted_users_.find(user.id);
                gone != deleted_users_.end() && gone->second > user.version)
                continue;
            auto& slot = users_[user.id];
            if (!slot || slot->version <= user.version) slot = std::make_shared<const UserEntry>(user);
        }
        // Users the snapshot lacks were deleted before it was read, unless the view learnt of them since.
        std::erase_if(users_, [&](const auto& entry) {
            return !present.contains(entry.first) && entry.second->version <= snapshot.version;
        });
        Map<bool> live;
        for (const auto& token : snapshot.tokens) {
            live[token.token_hash] = true;
            PutTokenLocked(token);
        }
        for (auto& [hash, token] : tokens_by_hash_) {
            if (live.contains(hash) || token->revoked || token->version > snapshot.version) continue;
            auto revoked = *token;
            revoked.revoked = true;
            token = std::make_shared<const ApiTokenEntry>(std::move(revoked));
        }
        for (const auto& [jti, expiry] : snapshot.denied_jtis) {
            auto& slot = denied_jtis_[jti];
            slot = std::max(slot, expiry);
        }
        for (const auto& [family, until] : snapshot.revoked_families) {
            auto& slot = revoked_families_[family];
            slot = std::max(slot, until);
        }
        if (snapshot.version > covered_) covered_ = snapshot.version;
        while (!applied_ahead_.empty() && *applied_ahead_.begin() <= covered_ + 1) {
            covered_ = std::max(covered_, *applied_ahead_.begin());
            applied_ahead_.erase(applied_ahead_.begin());
        }
    }
    Changed();
}

std::int64_t AuthView::covered() const {
    std::shared_lock lock(mutex_);
    return covered_;
}

void AuthView::MarkSynced(Clock::time_point when) {
    synced_at_.store(when.time_since_epoch().count(), std::memory_order_release);
}

bool AuthView::Fresh(std::chrono::milliseconds max_age, Clock::time_point now) const {
    const auto synced = synced_at_.load(std::memory_order_acquire);
    if (synced == 0) return false;
    return now - Clock::time_point(Clock::duration(synced)) <= max_age;
}

void AuthView::Purge(std::int64_t now_epoch) {
    std::unique_lock lock(mutex_);
    std::erase_if(denied_jtis_, [&](const auto& entry) { return entry.second <= now_epoch; });
    std::erase_if(revoked_families_, [&](const auto& entry) { return entry.second <= now_epoch; });
    // Deletion marks and revoked tokens at or below the covered epoch can go: a later merge only takes
    // snapshots newer than that epoch, which no longer hold them.
    std::erase_if(deleted_users_, [&](const auto& entry) { return entry.second <= covered_; });
    std::erase_if(tokens_by_hash_, [&](const auto& entry) {
        const auto& token = *entry.second;
        const bool gone =
            (token.revoked && token.version <= covered_) || (token.expires_epoch && *token.expires_epoch <= now_epoch);
        if (gone) token_hash_by_id_.erase(token.id);
        return gone;
    });
    const auto cutoff = Clock::now() - kKnownBadFor;
    std::erase_if(known_bad_, [&](const auto& entry) { return entry.second < cutoff; });
}

}  // namespace gatehouse::auth
