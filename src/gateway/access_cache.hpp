#pragma once

#include <atomic>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "gateway/gateway_types.hpp"

namespace gatehouse::gateway {

/// An access token the proxy accepts while it is not revoked and not expired. Shared with the requests and
/// WebSockets using it: a revocation flips `revoked` where they all see it.
struct LiveToken {
    explicit LiveToken(TokenEntry e)
        : entry(std::move(e)), revoked(entry.revoked), expires_epoch(entry.expires_epoch) {}
    const TokenEntry entry;
    std::atomic<bool> revoked;
    std::atomic<std::int64_t> expires_epoch;  // as the store has it now (entry's is the one first seen)

    bool Valid(std::int64_t now_epoch) const { return !revoked.load() && now_epoch < expires_epoch.load(); }
};

/// The routes and live access tokens the proxy checks every request against, in memory, so the proxy path never
/// waits on the database. Kept current by GatewayService (its own changes, after commit) and GatewaySync (other
/// instances' changes). Thread-safe.
class AccessCache {
  public:
    std::shared_ptr<const RouteView> RouteBySlug(std::string_view slug) const;
    /// `host` as the Host header gives it (any case, with or without a port).
    std::shared_ptr<const RouteView> RouteByHost(std::string_view host) const;
    std::shared_ptr<const RouteView> RouteById(std::string_view id) const;
    bool HasHostRoutes() const noexcept { return has_host_routes_.load(); }
    void SetRoutes(const std::vector<RouteView>& routes);

    std::shared_ptr<LiveToken> TokenByHash(std::string_view hash) const;
    std::shared_ptr<LiveToken> TokenById(std::string_view id) const;
    /// Adds or updates one token; a revoked one is flagged for everyone holding it, and never comes back.
    void PutToken(const TokenEntry& token);
    /// Taken before reading the live tokens for SetTokens.
    std::uint64_t Stamp() const noexcept { return clock_.load(); }
    /// Replaces every token with `tokens`, read after Stamp() gave `since`: those no longer live are flagged
    /// revoked (a revocation this instance did not hear), except those put after `since`, which the read may
    /// have missed.
    void SetTokens(const std::vector<TokenEntry>& tokens, std::uint64_t since);
    /// Drops expired tokens (their holders see the expiry themselves).
    void DropExpired(std::int64_t now_epoch);
    std::size_t TokenCount() const;

    /// A hash the database did not know when asked: refused from memory from then on (tokens are random, it
    /// never will be valid). Bounded; forgotten whenever the set fills up.
    bool KnownBad(std::string_view hash) const;
    void RememberBad(std::string hash);

  private:
    mutable std::shared_mutex mutex_;
    std::unordered_map<std::string, std::shared_ptr<const RouteView>> routes_by_slug_;
    std::unordered_map<std::string, std::shared_ptr<const RouteView>> routes_by_host_;
    std::unordered_map<std::string, std::shared_ptr<const RouteView>> routes_by_id_;
    std::atomic<bool> has_host_routes_{false};
    struct Slot {
        std::shared_ptr<LiveToken> token;
        std::uint64_t stamp = 0;  // clock_ when it was put
    };
    std::atomic<std::uint64_t> clock_{0};
    std::unordered_map<std::string, std::shared_ptr<LiveToken>> tokens_by_hash_;
    std::unordered_map<std::string, Slot> tokens_by_id_;
    std::unordered_map<std::string, std::int64_t> revoked_;  // id -> expiry: never accepted again
    std::unordered_set<std::string> bad_hashes_;
};

/// `host` lowercased, without a port and a trailing dot.
std::string NormalHost(std::string_view host);

}  // namespace gatehouse::gateway
