#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "alerts/alert_types.hpp"
#include "metricstore/metric_service.hpp"
#include "store/database.hpp"
#include "vault/vault.hpp"

namespace gatehouse::alerts {

struct AlertOptions {
    std::chrono::seconds webhook_timeout{10};
    int webhook_attempts = 5;
    std::chrono::milliseconds backoff{1000};  // before the second attempt; doubles after each failure
};

/// Alert rules, their evaluation, alerts with their history, acknowledgements and webhooks. Called from coroutines
/// on I/O executors; database work runs on the store's pools; webhooks are sent on `executor`. Expected failures
/// are core::Error: invalid_argument (naming the field), not_found, already_exists (rule name), conflict
/// (acknowledging a resolved or acknowledged alert, deleting a built-in rule).
class AlertService {
  public:
    AlertService(store::Database& database, const vault::Vault& vault, metricstore::MetricService& metrics,
                 boost::asio::any_io_executor executor, AlertOptions options = {});
    ~AlertService();

    /// Blocking, for start-up: the built-in PostgreSQL rules (disabled) unless they exist.
    void EnsureBuiltinRulesBlocking();

    boost::asio::awaitable<Page<Rule>> ListRules(std::size_t limit, std::string cursor);
    boost::asio::awaitable<Rule> GetRule(std::string id);
    /// The rule, and its webhook secret when this call generated it (shown once).
    struct Saved {
        Rule rule;
        std::optional<std::string> webhook_secret;
    };
    boost::asio::awaitable<Saved> CreateRule(RuleInput input);
    boost::asio::awaitable<Saved> ReplaceRule(std::string id, RuleInput input);
    boost::asio::awaitable<Rule> DeleteRule(std::string id);

    boost::asio::awaitable<Page<Alert>> ListAlerts(AlertFilter filter, std::size_t limit, std::string cursor);
    struct Detail {
        Alert alert;
        std::vector<AlertEvent> history;
        std::vector<Delivery> deliveries;
    };
    boost::asio::awaitable<Detail> GetAlert(std::string id);
    /// Stops repeat notifications; the alert stays firing until it resolves.
    boost::asio::awaitable<Alert> Acknowledge(std::string id, std::string user_id, std::string comment);

    /// Evaluates every rule once (the scheduler's job). On PostgreSQL one instance at a time applies the result
    /// (advisory lock); returns the alerts changed, or -1 when another instance holds the lock.
    boost::asio::awaitable<long> EvaluateAll();

    struct Impl;

  private:
    std::shared_ptr<Impl> impl_;
};

/// Throws core::Error(invalid_argument) naming the first field that breaks a rule's constraints.
void ValidateRule(const Rule& rule);

}  // namespace gatehouse::alerts
