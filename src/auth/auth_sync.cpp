#include "auth/auth_sync.hpp"

#include <charconv>

#include "auth/identity_impl.hpp"
#include "core/log.hpp"

namespace gatehouse::auth {

std::string FormatChange(const AuthChange& change) {
    return change.instance + "|" + std::to_string(change.version) + "|" + std::string(1, change.kind) + "|" +
           change.key + "|" + std::to_string(change.extra);
}

std::optional<AuthChange> ParseChange(std::string_view payload) {
    std::string_view parts[5];
    for (int i = 0; i < 5; ++i) {
        const auto bar = i < 4 ? payload.find('|') : std::string_view::npos;
        if (i < 4 && bar == std::string_view::npos) return std::nullopt;
        parts[i] = payload.substr(0, bar);
        payload = bar == std::string_view::npos ? std::string_view{} : payload.substr(bar + 1);
    }
    AuthChange change;
    change.instance = std::string(parts[0]);
    const auto number = [](std::string_view text, std::int64_t& out) {
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
        return ec == std::errc() && end == text.data() + text.size();
    };
    if (!number(parts[1], change.version) || !number(parts[4], change.extra) || parts[2].size() != 1 ||
        parts[3].empty())
        return std::nullopt;
    change.kind = parts[2][0];
    change.key = std::string(parts[3]);
    return change;
}

struct AuthSync::Impl {
    Impl(store::Database& d, IdentityService& i) : db(d), identity(i), view(i.view()) {}

    store::Database& db;
    IdentityService& identity;
    AuthView& view;
    std::unique_ptr<store::Subscription> subscription;

    void Reload(store::Connection& c) { view.Merge(store_sql::ReadAuthSnapshot(c, core::EpochSeconds())); }

    /// On the listener's thread: applies another instance's change.
    void Apply(std::string_view payload) {
        const auto change = ParseChange(payload);
        if (!change) {
            core::LogWarn("auth.sync_bad_notification", {{"payload", std::string(payload.substr(0, 200))}});
            return;
        }
        if (change->instance == identity.options().instance_id) return;  // applied when it was made
        try {
            switch (change->kind) {
                case 'j':
                    view.DenyJti(change->key, change->extra);
                    break;
                case 'f':
                    view.RevokeFamily(change->key, change->extra);
                    break;
                case 'u':
                    db.WithRead([&](store::Connection& c) {
                        if (auto user = store_sql::FindUserById(c, change->key)) {
                            view.PutUser(store_sql::ToEntry(*user));
                        } else {
                            view.RemoveUser(change->key, change->version);
                        }
                        for (auto& token : store_sql::ApiTokensOf(c, change->key)) view.PutToken(std::move(token));
                    });
                    break;
                case 't':
                    db.WithRead([&](store::Connection& c) {
                        const auto token =
                            c.Execute("SELECT user_id FROM api_tokens WHERE id = ?", {store::Text(change->key)});
                        if (token.empty()) return;
                        for (auto& entry : store_sql::ApiTokensOf(c, token.rows.front().String(0)))
                            if (entry.id == change->key) view.PutToken(std::move(entry));
                    });
                    break;
                default:
                    return;
            }
            view.Cover(change->version);
        } catch (const std::exception& e) {
            // Left uncovered: the next poll sees the gap and reloads.
            core::LogWarn("auth.sync_apply_failed", {{"kind", std::string(1, change->kind)}, {"error", e.what()}});
        }
    }
};

AuthSync::AuthSync(store::Database& database, IdentityService& identity)
    : impl_(std::make_unique<Impl>(database, identity)) {}

AuthSync::~AuthSync() { impl_->subscription.reset(); }

void AuthSync::LoadBlocking() {
    impl_->db.WithRead([this](store::Connection& c) { impl_->Reload(c); });
    impl_->view.MarkSynced();
}

void AuthSync::Listen() {
    auto& impl = *impl_;
    store::ListenCallbacks callbacks;
    callbacks.message = [&impl](std::string_view payload) { impl.Apply(payload); };
    callbacks.connected = [&impl] {
        // Whatever happened while nobody listened is in the store: read it all again.
        try {
            impl.db.WithRead([&impl](store::Connection& c) { impl.Reload(c); });
            impl.view.MarkSynced();
            core::LogInfo("auth.sync_listening", {{"covered", impl.view.covered()}});
        } catch (const std::exception& e) {
            core::LogWarn("auth.sync_reload_failed", {{"error", e.what()}});
        }
    };
    callbacks.lost = [](std::string_view why) {
        core::LogWarn("auth.sync_connection_lost", {{"error", std::string(why)}});
    };
    impl.subscription = impl.db.Listen(std::string(store_sql::kAuthChannel), std::move(callbacks));
}

boost::asio::awaitable<void> AuthSync::Poll() {
    auto& impl = *impl_;
    const auto epoch = co_await impl.db.Read([](store::Connection& c) { return store_sql::ReadAuthEpoch(c); });
    if (epoch > impl.view.covered()) {
        auto snapshot = co_await impl.db.Read(
            [](store::Connection& c) { return store_sql::ReadAuthSnapshot(c, core::EpochSeconds()); });
        impl.view.Merge(snapshot);
    }
    impl.view.MarkSynced();
}

}  // namespace gatehouse::auth
