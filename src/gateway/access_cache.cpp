#include "gateway/access_cache.hpp"

#include <mutex>

#include "core/text.hpp"

namespace gatehouse::gateway {
namespace {

constexpr std::size_t kMaxBadHashes = 100000;

template <class Map>
typename Map::mapped_type Find(const Map& map, std::string_view key) {
    const auto it = map.find(std::string(key));
    return it == map.end() ? nullptr : it->second;
}

}  // namespace

std::string NormalHost(std::string_view host) {
    if (!host.empty() && host.front() == '[') {
        const auto close = host.find(']');
        host = close == std::string_view::npos ? host : host.substr(0, close + 1);
    } else if (const auto colon = host.rfind(':'); colon != std::string_view::npos) {
        host = host.substr(0, colon);
    }
    if (!host.empty() && host.back() == '.') host.remove_suffix(1);
    return core::AsciiLower(host);
}

std::shared_ptr<const RouteView> AccessCache::RouteBySlug(std::string_view slug) const {
    std::shared_lock lock(mutex_);
    return Find(routes_by_slug_, slug);
}

std::shared_ptr<const RouteView> AccessCache::RouteByHost(std::string_view host) const {
    if (!has_host_routes_.load()) return nullptr;
    const auto normal = NormalHost(host);
    std::shared_lock lock(mutex_);
    return Find(routes_by_host_, normal);
}

std::shared_ptr<const RouteView> AccessCache::RouteById(std::string_view id) const {
    std::shared_lock lock(mutex_);
    return Find(routes_by_id_, id);
}

void AccessCache::SetRoutes(const std::vector<RouteView>& routes) {
    decltype(routes_by_slug_) by_slug;
    decltype(routes_by_host_) by_host;
    decltype(routes_by_id_) by_id;
    for (const auto& route : routes) {
        auto shared = std::make_shared<const RouteView>(route);
        by_slug[route.slug] = shared;
        by_id[route.id] = shared;
        if (route.host) by_host[NormalHost(*route.host)] = shared;
    }
    std::unique_lock lock(mutex_);
    routes_by_slug_ = std::move(by_slug);
    has_host_routes_.store(!by_host.empty());
    routes_by_host_ = std::move(by_host);
    routes_by_id_ = std::move(by_id);
}

std::shared_ptr<LiveToken> AccessCache::TokenByHash(std::string_view hash) const {
    std::shared_lock lock(mutex_);
    return Find(tokens_by_hash_, hash);
}

std::shared_ptr<LiveToken> AccessCache::TokenById(std::string_view id) const {
    std::shared_lock lock(mutex_);
    const auto it = tokens_by_id_.find(std::string(id));
    return it == tokens_by_id_.end() ? nullptr : it->second.token;
}

void AccessCache::PutToken(const TokenEntry& token) {
    std::unique_lock lock(mutex_);
    const auto stamp = ++clock_;
    const auto it = tokens_by_id_.find(token.id);
    if (token.revoked) {
        if (revoked_.size() >= kMaxBadHashes) revoked_.clear();
        revoked_[token.id] = token.expires_epoch;
        if (it == tokens_by_id_.end()) return;
        it->second.token->revoked.store(true);
        tokens_by_hash_.erase(it->second.token->entry.hash);
        tokens_by_id_.erase(it);
        return;
    }
    if (it != tokens_by_id_.end() || revoked_.contains(token.id)) return;
    auto live = std::make_shared<LiveToken>(token);
    tokens_by_hash_[token.hash] = live;
    tokens_by_id_[token.id] = Slot{std::move(live), stamp};
    bad_hashes_.erase(token.hash);
}

void AccessCache::SetTokens(const std::vector<TokenEntry>& tokens, std::uint64_t since) {
    std::unordered_set<std::string> live_ids;
    for (const auto& token : tokens)
        if (!token.revoked) live_ids.insert(token.id);
    std::unique_lock lock(mutex_);
    for (auto it = tokens_by_id_.begin(); it != tokens_by_id_.end();) {
        if (live_ids.contains(it->first) || it->second.stamp > since) {
            ++it;
            continue;
        }
        it->second.token->revoked.store(true);
        tokens_by_hash_.erase(it->second.token->entry.hash);
        it = tokens_by_id_.erase(it);
    }
    for (const auto& token : tokens) {
        if (const auto it = tokens_by_id_.find(token.id); it != tokens_by_id_.end()) {
            it->second.token->expires_epoch.store(token.expires_epoch);
            continue;
        }
        if (token.revoked || revoked_.contains(token.id)) continue;
        auto live = std::make_shared<LiveToken>(token);
        tokens_by_hash_[token.hash] = live;
        tokens_by_id_[token.id] = Slot{std::move(live), since};
    }
}

void AccessCache::DropExpired(std::int64_t now_epoch) {
    std::unique_lock lock(mutex_);
    for (auto it = tokens_by_id_.begin(); it != tokens_by_id_.end();) {
        if (it->second.token->expires_epoch.load() > now_epoch) {
            ++it;
            continue;
        }
        tokens_by_hash_.erase(it->second.token->entry.hash);
        it = tokens_by_id_.erase(it);
    }
    std::erase_if(revoked_, [now_epoch](const auto& item) { return item.second <= now_epoch; });
}

std::size_t AccessCache::TokenCount() const {
    std::shared_lock lock(mutex_);
    return tokens_by_id_.size();
}

bool AccessCache::KnownBad(std::string_view hash) const {
    std::shared_lock lock(mutex_);
    return bad_hashes_.contains(std::string(hash));
}

void AccessCache::RememberBad(std::string hash) {
    std::unique_lock lock(mutex_);
    if (bad_hashes_.size() >= kMaxBadHashes) bad_hashes_.clear();
    bad_hashes_.insert(std::move(hash));
}

}  // namespace gatehouse::gateway
