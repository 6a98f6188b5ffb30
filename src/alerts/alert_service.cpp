#include "alerts/alert_service.hpp"

#include <openssl/hmac.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include "alerts/alert_json.hpp"
#include "alerts/alert_sql.hpp"
#include "alerts/builtin_rules.hpp"
#include "alerts/evaluation.hpp"
#include "core/errc.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "core/time.hpp"
#include "http/outbound.hpp"
#include "metricstore/metric_sql.hpp"

namespace gatehouse::alerts {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
constexpr std::int64_t kEvaluationLock = 0x6761746172746c;  // "gatartl"

vault::Owner SecretOwner(const std::string& rule_id) { return vault::Owner{"alert_rule", rule_id, "webhook_secret"}; }

std::string HmacHex(const std::string& key, const std::string& body) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(body.data()),
         body.size(), mac, &length);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (unsigned int i = 0; i < length; ++i) {
        hex += kHex[mac[i] >> 4];
        hex += kHex[mac[i] & 15];
    }
    return hex;
}

// A notification decided by an evaluation, sent after its transaction committed.
struct Outgoing {
    Alert alert;
    Rule rule;
    std::string event;
};

}  // namespace

struct AlertService::Impl {
    store::Database& db;
    const vault::Vault& vault;
    metricstore::MetricService& metrics;
    asio::any_io_executor executor;
    AlertOptions options;

    // Stores a given secret, or generates one for a rule with a webhook and none yet; returns a generated one.
    std::optional<std::string> SealSecret(store::Connection& c, const Rule& rule,
                                          const std::optional<std::string>& given) const {
        if (given) {
            vault.Seal(c, SecretOwner(rule.id), *given);
            return std::nullopt;
        }
        if (!rule.webhook_url || vault.Has(c, SecretOwner(rule.id))) return std::nullopt;
        std::string secret = "whsec_" + core::RandomHex(24);
        vault.Seal(c, SecretOwner(rule.id), secret);
        return secret;
    }

    asio::awaitable<void> Deliver(Outgoing out) {
        const std::string body = json::serialize(json::object{{"event", out.event},
                                                              {"alert", AlertJson(out.alert)},
                                                              {"rule", RuleJson(out.rule)},
                                                              {"sent_at", core::NowRfc3339()}});
        const auto secret = co_await db.Read(
            [this, &out](store::Connection& c) { return vault.Reveal(c, SecretOwner(out.rule.id)).value_or(""); });
        const std::string delivery_id = core::NewUuidV7();
        auto backoff = options.backoff;
        for (int attempt = 1; attempt <= options.webhook_attempts; ++attempt) {
            // Built before the co_await: GCC 12 cannot keep an initializer list of literals in a coroutine frame.
            std::vector<std::pair<std::string, std::string>> headers;
            headers.emplace_back(std::string("X-Gatehouse-Signature"), "sha256=" + HmacHex(secret, body));
            headers.emplace_back(std::string("X-Gatehouse-Event"), out.event);
            headers.emplace_back(std::string("X-Gatehouse-Delivery"), delivery_id);
            headers.emplace_back(std::string("Content-Type"), std::string("application/json"));
            auto result =
                co_await http::OutboundPost(*out.rule.webhook_url, body, std::move(headers), options.webhook_timeout);
            Delivery row{core::NewUuidV7(), out.event,    *out.rule.webhook_url, attempt,
                         result.status,     std::nullopt, core::NowRfc3339()};
            const bool ok = result.status && *result.status >= 200 && *result.status < 300;
            if (!ok) row.error = result.status ? "HTTP " + std::to_string(*result.status) : result.error;
            co_await db.Write([&row, &out](store::Connection& c) { sql::InsertDelivery(c, out.alert.id, row); });
            if (ok) co_return;
            if (attempt < options.webhook_attempts) {
                asio::steady_timer timer(executor, backoff);
                co_await timer.async_wait(asio::use_awaitable);
                backoff *= 2;
            }
        }
        core::LogWarn("alerts.webhook_failed",
                      {{"alert_id", out.alert.id}, {"event", out.event}, {"attempts", options.webhook_attempts}});
    }

    void Send(std::vector<Outgoing> outgoing) {
        for (auto& out : outgoing)
            asio::co_spawn(executor, Deliver(std::move(out)), [](std::exception_ptr error) {
                if (error) core::LogError("alerts.delivery_failed", {{"error", core::What(error)}});
            });
    }
};

AlertService::AlertService(store::Database& database, const vault::Vault& vault, metricstore::MetricService& metrics,
                           asio::any_io_executor executor, AlertOptions options)
    : impl_(std::make_shared<Impl>(Impl{database, vault, metrics, std::move(executor), options})) {}

AlertService::~AlertService() = default;

void AlertService::EnsureBuiltinRulesBlocking() {
    impl_->db.WithTransaction([](store::Connection& c) {
        const auto at = core::NowRfc3339();
        for (auto rule : BuiltinRules()) {
            if (sql::FindRuleByName(c, rule.name)) continue;
            rule.id = core::NewUuidV7();
            rule.created_at = rule.updated_at = at;
            sql::InsertRule(c, rule);
        }
    });
}

asio::awaitable<Page<Rule>> AlertService::ListRules(std::size_t limit, std::string cursor) {
    const auto after = store::CheckCursor(cursor);
    auto rules =
        co_await impl_->db.Read([&after, limit](store::Connection& c) { return sql::ListRules(c, after, limit + 1); });
    co_return store::Paged(std::move(rules), limit);
}

asio::awaitable<Rule> AlertService::GetRule(std::string id) {
    auto rule = co_await impl_->db.Read([&id](store::Connection& c) { return sql::FindRule(c, id); });
    if (!rule) throw core::Error(core::errc::not_found, "alert rule not found");
    co_return std::move(*rule);
}

asio::awaitable<AlertService::Saved> AlertService::CreateRule(RuleInput input) {
    auto& impl = *impl_;
    Rule& rule = input.rule;
    ValidateRule(rule);
    rule.id = core::NewUuidV7();
    rule.builtin = false;
    rule.created_at = rule.updated_at = core::NowRfc3339();
    Saved saved;
    saved.webhook_secret = co_await impl.db.Write([&impl, &input](store::Connection& c) {
        sql::InsertRule(c, input.rule);
        return impl.SealSecret(c, input.rule, input.webhook_secret);
    });
    saved.rule = co_await GetRule(rule.id);
    co_return saved;
}

asio::awaitable<AlertService::Saved> AlertService::ReplaceRule(std::string id, RuleInput input) {
    auto& impl = *impl_;
    const auto stored = co_await GetRule(id);
    Rule& rule = input.rule;
    ValidateRule(rule);
    rule.id = stored.id;
    rule.builtin = stored.builtin;
    rule.created_at = stored.created_at;
    rule.updated_at = core::NowRfc3339();
    Saved saved;
    saved.webhook_secret = co_await impl.db.Write([&impl, &input](store::Connection& c) {
        sql::UpdateRule(c, input.rule);
        return impl.SealSecret(c, input.rule, input.webhook_secret);
    });
    saved.rule = co_await GetRule(id);
    co_return saved;
}

asio::awaitable<Rule> AlertService::DeleteRule(std::string id) {
    auto rule = co_await GetRule(id);
    if (rule.builtin) throw core::Error(core::errc::conflict, "built-in rules cannot be deleted; disable them");
    co_await impl_->db.Write([this, &id](store::Connection& c) {
        sql::DeleteRule(c, id);
        impl_->vault.EraseAll(c, "alert_rule", id);
    });
    co_return rule;
}

asio::awaitable<Page<Alert>> AlertService::ListAlerts(AlertFilter filter, std::size_t limit, std::string cursor) {
    const auto before = store::CheckCursor(cursor);
    auto alerts = co_await impl_->db.Read(
        [&filter, &before, limit](store::Connection& c) { return sql::ListAlerts(c, filter, before, limit + 1); });
    co_return store::Paged(std::move(alerts), limit);
}

asio::awaitable<AlertService::Detail> AlertService::GetAlert(std::string id) {
    auto detail = co_await impl_->db.Read([&id](store::Connection& c) -> std::optional<Detail> {
        auto alert = sql::FindAlert(c, id);
        if (!alert) return std::nullopt;
        return Detail{std::move(*alert), sql::Events(c, id), sql::Deliveries(c, id)};
    });
    if (!detail) throw core::Error(core::errc::not_found, "alert not found");
    co_return std::move(*detail);
}

asio::awaitable<Alert> AlertService::Acknowledge(std::string id, std::string user_id, std::string comment) {
    if (comment.size() > 2000) throw core::Error(core::errc::invalid_argument, "field 'comment' is too long");
    const auto at = core::NowRfc3339();
    auto alert = co_await impl_->db.Write([&](store::Connection& c) {
        auto found = sql::FindAlert(c, id);
        if (!found) throw core::Error(core::errc::not_found, "alert not found");
        if (found->state == "resolved") throw core::Error(core::errc::conflict, "the alert is resolved already");
        if (found->acknowledged_at) throw core::Error(core::errc::conflict, "the alert is acknowledged already");
        found->acknowledged_at = at;
        found->acknowledged_by = user_id;
        found->ack_comment = comment;
        found->updated_at = at;
        sql::UpdateAlert(c, *found);
        sql::InsertEvent(c, id, AlertEvent{core::NewUuidV7(), "acknowledged", found->value, comment, at});
        return *found;
    });
    co_return alert;
}

asio::awaitable<long> AlertService::EvaluateAll() {
    auto& impl = *impl_;
    auto rules = co_await impl.db.Read([](store::Connection& c) { return sql::AllRules(c); });
    std::vector<std::vector<SeriesValue>> values(rules.size());
    for (std::size_t i = 0; i < rules.size(); ++i) {
        const auto& rule = rules[i];
        if (!rule.enabled) continue;
        auto window =
            co_await impl.metrics.Window(rule.expr.name, rule.expr.match, rule.expr.agg, rule.expr.window_s * 1000);
        for (auto& series : window)
            if (!series.points.empty()) values[i].push_back({std::move(series.labels), series.points.front().second});
    }
    const auto now = core::EpochSeconds();
    const auto at = core::NowRfc3339();
    std::vector<Outgoing> outgoing;
    const long changed = co_await impl.db.Write([&](store::Connection& c) -> long {
        if (!metricstore::sql::TryMaintenanceLock(c, kEvaluationLock)) return -1;
        long count = 0;
        for (std::size_t i = 0; i < rules.size(); ++i) {
            const auto active = sql::ActiveAlerts(c, rules[i].id);
            if (!rules[i].enabled && active.empty()) continue;
            for (auto& t : Evaluate(rules[i], active, values[i], now, at)) {
                if (t.created)
                    sql::InsertAlert(c, t.alert);
                else
                    sql::UpdateAlert(c, t.alert);
                for (const auto& event : t.events) sql::InsertEvent(c, t.alert.id, event);
                if (!t.events.empty()) ++count;
                if (t.notify && rules[i].webhook_url) outgoing.push_back({t.alert, rules[i], *t.notify});
            }
        }
        return count;
    });
    if (changed > 0) core::LogInfo("alerts.evaluated", {{"changed", changed}, {"notifications", outgoing.size()}});
    impl.Send(std::move(outgoing));
    co_return changed;
}

}  // namespace gatehouse::alerts
