#include "config/options.hpp"

#include <charconv>
#include <limits>
#include <stdexcept>
#include <vector>

namespace gatehouse::config {
namespace {

long long ParseInteger(std::string_view text, long long min, long long max) {
    long long value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size())
        throw std::invalid_argument("expected an integer, got '" + std::string(text) + "'");
    if (value < min || value > max)
        throw std::invalid_argument("expected a value from " + std::to_string(min) + " to " + std::to_string(max) +
                                    ", got " + std::to_string(value));
    return value;
}

bool ParseBool(std::string_view text) {
    if (text == "true" || text == "1" || text == "yes" || text == "on") return true;
    if (text == "false" || text == "0" || text == "no" || text == "off") return false;
    throw std::invalid_argument("expected true or false, got '" + std::string(text) + "'");
}

template <class T>
Option IntOption(std::string_view key, std::string_view description, T Config::*group, auto field, long long min,
                 long long max) {
    return Option{key, description,
                  [=](Config& c, std::string_view v) {
                      (c.*group).*field =
                          static_cast<std::remove_reference_t<decltype((c.*group).*field)>>(ParseInteger(v, min, max));
                  },
                  [=](const Config& c) { return std::to_string((c.*group).*field); }};
}

template <class T>
Option StringOption(std::string_view key, std::string_view description, T Config::*group, std::string T::*field) {
    return Option{key, description, [=](Config& c, std::string_view v) { (c.*group).*field = std::string(v); },
                  [=](const Config& c) { return (c.*group).*field; }};
}

Option TopString(std::string_view key, std::string_view description, std::string Config::*field,
                 std::function<void(std::string_view)> validate = {}) {
    return Option{key, description,
                  [=](Config& c, std::string_view v) {
                      if (validate) validate(v);
                      c.*field = std::string(v);
                  },
                  [=](const Config& c) { return c.*field; }};
}

std::vector<Option> BuildOptions() {
    constexpr long long kMaxInt = std::numeric_limits<int>::max();
    std::vector<Option> options;
    options.push_back(TopString("listen", "address to serve on, host:port (port 0 picks a free one)", &Config::listen,
                                [](std::string_view v) { SplitListen(std::string(v)); }));
    options.push_back(TopString("data_dir", "directory for the SQLite database and generated keys", &Config::data_dir,
                                [](std::string_view v) {
                                    if (v.empty()) throw std::invalid_argument("must not be empty");
                                }));
    options.push_back(StringOption("database.url",
                                   "postgresql://user:pass@host:port/db to share state between instances; empty "
                                   "means SQLite in the data directory",
                                   &Config::database, &DatabaseConfig::url));
    options.push_back(IntOption("database.pool_size", "PostgreSQL connections per instance", &Config::database,
                                &DatabaseConfig::pool_size, 1, 512));
    options.push_back(IntOption("database.sqlite_readers", "SQLite reader connections", &Config::database,
                                &DatabaseConfig::sqlite_readers, 1, 64));
    options.push_back(IntOption("database.statement_timeout_ms", "PostgreSQL statement_timeout of gatehouse's sessions",
                                &Config::database, &DatabaseConfig::statement_timeout_ms, 100, 3600 * 1000));
    options.push_back(IntOption("database.acquire_timeout_ms",
                                "milliseconds to wait for a free database connection before 503", &Config::database,
                                &DatabaseConfig::acquire_timeout_ms, 10, 600 * 1000));
    options.push_back(IntOption("http.max_header_bytes", "largest request line plus headers (431 beyond)",
                                &Config::http, &HttpConfig::max_header_bytes, 1024, 1024 * 1024));
    options.push_back(IntOption("http.max_body_bytes", "default largest request body (413 beyond)", &Config::http,
                                &HttpConfig::max_body_bytes, 0, 1LL << 32));
    options.push_back(IntOption("http.read_timeout_s", "seconds to receive a whole request once it started",
                                &Config::http, &HttpConfig::read_timeout_s, 1, 3600));
    options.push_back(IntOption("http.idle_timeout_s", "seconds a keep-alive connection may wait between requests",
                                &Config::http, &HttpConfig::idle_timeout_s, 1, 86400));
    options.push_back(IntOption("http.shutdown_grace_s", "seconds in-flight requests get to finish on SIGTERM",
                                &Config::http, &HttpConfig::shutdown_grace_s, 0, 3600));
    options.push_back(
        IntOption("http.io_threads", "I/O threads (0: one per core)", &Config::http, &HttpConfig::io_threads, 0, 256));
    options.push_back(IntOption("http.max_connections", "open client connections at most (the idlest is closed beyond)",
                                &Config::http, &HttpConfig::max_connections, 1, kMaxInt));
    options.push_back(IntOption("http.max_connections_per_address",
                                "open connections per client address at most (the idlest is closed beyond)",
                                &Config::http, &HttpConfig::max_connections_per_address, 1, kMaxInt));
    options.push_back(StringOption("tls.cert_file", "PEM certificate chain; with tls.key_file enables HTTPS",
                                   &Config::tls, &TlsConfig::cert_file));
    options.push_back(
        StringOption("tls.key_file", "PEM private key for tls.cert_file", &Config::tls, &TlsConfig::key_file));
    options.push_back(IntOption("workers.threads", "threads for blocking work (hashing, ssh, key generation)",
                                &Config::workers, &WorkersConfig::threads, 1, 256));
    options.push_back(IntOption("workers.ssh_threads", "threads for task commands over SSH (at once)", &Config::workers,
                                &WorkersConfig::ssh_threads, 1, 512));
    options.push_back(IntOption("workers.postgres_threads", "threads for PostgreSQL monitoring queries",
                                &Config::workers, &WorkersConfig::postgres_threads, 1, 512));
    options.push_back(IntOption("workers.ssh_probe_threads", "threads for status, disk and scheduled probes over SSH",
                                &Config::workers, &WorkersConfig::ssh_probe_threads, 1, 512));
    options.push_back(IntOption("workers.ssh_interactive_threads", "threads for test-ssh and host-key checks",
                                &Config::workers, &WorkersConfig::ssh_interactive_threads, 1, 512));
    options.push_back(IntOption("workers.password_threads", "threads for argon2 password hashing and checks",
                                &Config::workers, &WorkersConfig::password_threads, 1, 64));
    options.push_back(IntOption("workers.password_max_queued", "password checks that may wait for a thread before 503",
                                &Config::workers, &WorkersConfig::password_max_queued, 0, 100000));
    options.push_back(IntOption("workers.max_queued", "jobs that may wait for a worker before 503", &Config::workers,
                                &WorkersConfig::max_queued, 1, kMaxInt));
    options.push_back(IntOption("auth.access_ttl_s", "lifetime of access tokens (JWT)", &Config::auth,
                                &AuthConfig::access_ttl_s, 30, 86400));
    options.push_back(IntOption("auth.refresh_ttl_s", "lifetime of refresh tokens", &Config::auth,
                                &AuthConfig::refresh_ttl_s, 60, 365 * 86400));
    options.push_back(
        Option{"auth.registration_enabled", "allow POST /api/v1/auth/register (new users are viewers)",
               [](Config& c, std::string_view v) { c.auth.registration_enabled = ParseBool(v); },
               [](const Config& c) { return std::string(c.auth.registration_enabled ? "true" : "false"); }});
    options.push_back(Option{"auth.cookie_secure", "mark the refresh cookie Secure (always on under TLS)",
                             [](Config& c, std::string_view v) { c.auth.cookie_secure = ParseBool(v); },
                             [](const Config& c) { return std::string(c.auth.cookie_secure ? "true" : "false"); }});
    options.push_back(Option{"auth.cookie_samesite", "SameSite of the refresh cookie: Lax, Strict or None",
                             [](Config& c, std::string_view v) {
                                 if (v != "Lax" && v != "Strict" && v != "None")
                                     throw std::invalid_argument("expected Lax, Strict or None");
                                 c.auth.cookie_samesite = std::string(v);
                             },
                             [](const Config& c) { return c.auth.cookie_samesite; }});
    options.push_back(IntOption("auth.login_attempts_per_minute",
                                "login/token/register attempts per source address and per username", &Config::auth,
                                &AuthConfig::login_attempts_per_minute, 1, 1000000));
    options.push_back(IntOption("auth.login_failures_per_account_per_minute",
                                "failed logins per username from clients without its device cookie", &Config::auth,
                                &AuthConfig::login_failures_per_account_per_minute, 1, 1000000));
    options.push_back(
        IntOption("auth.argon2_opslimit", "argon2id passes", &Config::auth, &AuthConfig::argon2_opslimit, 1, 10));
    options.push_back(IntOption("auth.argon2_memlimit_kib", "argon2id memory per hash (KiB)", &Config::auth,
                                &AuthConfig::argon2_memlimit_kib, 8, 4 * 1024 * 1024));
    options.push_back(StringOption("auth.trusted_proxies",
                                   "comma-separated proxy addresses whose X-Forwarded-For is believed", &Config::auth,
                                   &AuthConfig::trusted_proxies));
    options.push_back(StringOption("auth.cors_origins",
                                   "comma-separated browser origins allowed to call the API with credentials",
                                   &Config::auth, &AuthConfig::cors_origins));
    options.push_back(IntOption("fleet.probe_interval_s", "seconds between status probes of every server",
                                &Config::fleet, &FleetConfig::probe_interval_s, 1, 86400));
    options.push_back(IntOption("fleet.probe_concurrency", "servers probed at once", &Config::fleet,
                                &FleetConfig::probe_concurrency, 1, 512));
    options.push_back(IntOption("fleet.status_ttl_s", "seconds a server's status is served from cache", &Config::fleet,
                                &FleetConfig::status_ttl_s, 0, 3600));
    options.push_back(IntOption("fleet.disk_ttl_s", "seconds a server's disk usage is served from cache",
                                &Config::fleet, &FleetConfig::disk_ttl_s, 0, 3600));
    options.push_back(IntOption("fleet.failure_ttl_s", "seconds a failed disk read is served from cache",
                                &Config::fleet, &FleetConfig::failure_ttl_s, 0, 3600));
    using PG = PostgresMonitorConfig;
    const auto pg = [&](std::string_view key, std::string_view description, int PG::*field, long long min,
                        long long max) {
        options.push_back(IntOption(key, description, &Config::postgres, field, min, max));
    };
    pg("postgres.activity_ttl_ms", "milliseconds an activity snapshot is served from cache", &PG::activity_ttl_ms, 0,
       3600 * 1000);
    pg("postgres.stats_ttl_ms", "milliseconds statistics are served from cache", &PG::stats_ttl_ms, 0, 3600 * 1000);
    pg("postgres.query_text_max", "characters of each session's query in activity", &PG::query_text_max, 16, 100000);
    pg("postgres.table_limit", "tables (the largest) in a database's statistics", &PG::table_limit, 1, 10000);
    pg("postgres.size_interval_s", "seconds between two reads of a server's database sizes (also with fresh=true)",
       &PG::size_interval_s, 0, 86400);
    pg("postgres.connect_timeout_s", "seconds to connect to a monitored PostgreSQL", &PG::connect_timeout_s, 1, 300);
    pg("postgres.statement_timeout_ms", "statement_timeout of monitoring sessions", &PG::statement_timeout_ms, 10,
       600 * 1000);
    pg("postgres.lock_timeout_ms", "lock_timeout of monitoring sessions", &PG::lock_timeout_ms, 10, 600 * 1000);
    pg("postgres.idle_timeout_s", "seconds before an idle monitoring connection beyond a pool's minimum is closed",
       &PG::idle_timeout_s, 1, 86400);
    pg("postgres.acquire_timeout_ms", "milliseconds to wait for a busy monitoring pool before 503",
       &PG::acquire_timeout_ms, 10, 600 * 1000);
    pg("postgres.backoff_ms", "first wait after a failed connect (doubles up to 30 s)", &PG::backoff_ms, 0, 60000);
    pg("postgres.pool_default_min", "connections kept by a pool of class default", &PG::pool_default_min, 0, 1000);
    pg("postgres.pool_default_max", "largest pool of class default", &PG::pool_default_max, 1, 1000);
    pg("postgres.pool_stats_db_min", "connections kept by a pool of class stats_db", &PG::pool_stats_db_min, 0, 1000);
    pg("postgres.pool_stats_db_max", "largest pool of class stats_db", &PG::pool_stats_db_max, 1, 1000);
    pg("postgres.pool_high_load_min", "connections kept by a pool of class high_load", &PG::pool_high_load_min, 0,
       1000);
    pg("postgres.pool_high_load_max", "largest pool of class high_load", &PG::pool_high_load_max, 1, 1000);
    options.push_back(Option{"gateway.refund_unused", "a revoked access token refunds its unused whole hours",
                             [](Config& c, std::string_view v) { c.gateway.refund_unused = ParseBool(v); },
                             [](const Config& c) { return std::string(c.gateway.refund_unused ? "true" : "false"); }});
    options.push_back(Option{"gateway.cookie_secure", "mark the gatehouse_access cookie Secure (always on under TLS)",
                             [](Config& c, std::string_view v) { c.gateway.cookie_secure = ParseBool(v); },
                             [](const Config& c) { return std::string(c.gateway.cookie_secure ? "true" : "false"); }});
    options.push_back(Option{"gateway.cookie_samesite", "SameSite of the gatehouse_access cookie: Lax, Strict or None",
                             [](Config& c, std::string_view v) {
                                 if (v != "Lax" && v != "Strict" && v != "None")
                                     throw std::invalid_argument("expected Lax, Strict or None");
                                 c.gateway.cookie_samesite = std::string(v);
                             },
                             [](const Config& c) { return c.gateway.cookie_samesite; }});
    using GW = GatewayConfig;
    const auto gw = [&](std::string_view key, std::string_view description, int GW::*field, long long min,
                        long long max) {
        options.push_back(IntOption(key, description, &Config::gateway, field, min, max));
    };
    gw("gateway.connect_timeout_ms", "milliseconds to connect to an upstream", &GW::connect_timeout_ms, 10, 600000);
    gw("gateway.read_timeout_s", "seconds to wait for an upstream's response and each piece of its body",
       &GW::read_timeout_s, 1, 86400);
    gw("gateway.rewrite_max_bytes", "responses larger than this stream unrewritten", &GW::rewrite_max_bytes, 0,
       kMaxInt);
    gw("gateway.upstream_idle", "idle keep-alive connections kept per upstream", &GW::upstream_idle, 0, 100000);
    gw("gateway.upstream_idle_timeout_s", "seconds an idle upstream connection is kept", &GW::upstream_idle_timeout_s,
       1, 86400);
    gw("gateway.sync_interval_s", "seconds between full reloads of gateway routes and tokens", &GW::sync_interval_s, 1,
       86400);
    using CC = CollectorsConfig;
    options.push_back(StringOption("collectors.listen", "host:port of the collectors' mTLS listener (empty: none)",
                                   &Config::collectors, &CC::listen));
    options.push_back(StringOption("collectors.cert_file",
                                   "PEM server certificate of the mTLS listener (default: issued by the internal CA)",
                                   &Config::collectors, &CC::cert_file));
    options.push_back(
        StringOption("collectors.key_file", "PEM key for collectors.cert_file", &Config::collectors, &CC::key_file));
    options.push_back(StringOption("collectors.server_names",
                                   "DNS names (comma-separated) of the listener certificate the internal CA issues",
                                   &Config::collectors, &CC::server_names));
    const auto cc = [&](std::string_view key, std::string_view description, int CC::*field, long long min,
                        long long max) {
        options.push_back(IntOption(key, description, &Config::collectors, field, min, max));
    };
    cc("collectors.certificate_days", "days a collector's client certificate is valid", &CC::certificate_days, 1, 825);
    cc("collectors.token_ttl_s", "seconds a collector JWT is valid", &CC::token_ttl_s, 1, 86400);
    cc("collectors.enrolment_token_ttl_s", "default seconds an enrolment token is valid", &CC::enrolment_token_ttl_s,
       60, 30 * 86400);
    cc("collectors.sync_interval_s", "seconds between reloads of live collectors and trusted CAs", &CC::sync_interval_s,
       1, 3600);
    using MC = MetricsConfig;
    const auto mc = [&](std::string_view key, std::string_view description, int MC::*field, long long min,
                        long long max) {
        options.push_back(IntOption(key, description, &Config::metrics, field, min, max));
    };
    mc("metrics.retention_raw_days", "days raw samples are kept", &MC::retention_raw_days, 1, 3650);
    mc("metrics.retention_1m_days", "days 1-minute rollups are kept", &MC::retention_1m_days, 1, 3650);
    mc("metrics.retention_1h_days", "days 1-hour rollups are kept", &MC::retention_1h_days, 1, 36500);
    mc("metrics.rollup_interval_s", "seconds between rollup runs", &MC::rollup_interval_s, 1, 3600);
    mc("metrics.max_points", "points in one query answer (400 beyond)", &MC::max_points, 10, 10000000);
    mc("metrics.max_series", "series in one query answer (400 beyond)", &MC::max_series, 1, 100000);
    mc("metrics.max_samples", "samples in one push", &MC::max_samples, 1, 1000000);
    mc("metrics.sample_interval_s", "seconds between built-in PostgreSQL samples (0: the collector default)",
       &MC::sample_interval_s, 0, 86400);
    options.push_back(StringOption("metrics.remote_write_url",
                                   "also forward accepted samples to this Prometheus remote-write endpoint",
                                   &Config::metrics, &MC::remote_write_url));
    using AC = AlertsConfig;
    options.push_back(IntOption("alerts.eval_interval_s", "seconds between alert rule evaluations", &Config::alerts,
                                &AC::eval_interval_s, 1, 3600));
    options.push_back(IntOption("alerts.webhook_timeout_s", "seconds a webhook delivery may take", &Config::alerts,
                                &AC::webhook_timeout_s, 1, 300));
    options.push_back(IntOption("alerts.webhook_attempts", "deliveries tried per notification (backoff doubles)",
                                &Config::alerts, &AC::webhook_attempts, 1, 20));
    options.push_back(IntOption("apps.auto_stop_check_s",
                                "seconds between checks for running apps past their auto-stop deadline", &Config::apps,
                                &AppsConfig::auto_stop_check_s, 1, 86400));
    options.push_back(IntOption("audit.retention_days", "audit events older than this are purged daily", &Config::audit,
                                &AuditConfig::retention_days, 1, 36500));
    options.push_back(IntOption("audit.queue_max", "audit events waiting to be written (dropped and counted beyond)",
                                &Config::audit, &AuditConfig::queue_max, 100, kMaxInt));
    options.push_back(StringOption("ui.dir",
                                   "serve the web UI from this directory (ui/build.sh output) instead of the embedded "
                                   "copy; for UI development",
                                   &Config::ui, &UiConfig::dir));
    options.push_back(Option{"log.level", "trace, debug, info, warn, error",
                             [](Config& c, std::string_view v) {
                                 if (v != "trace" && v != "debug" && v != "info" && v != "warn" && v != "error")
                                     throw std::invalid_argument("expected trace, debug, info, warn or error");
                                 c.log.level = std::string(v);
                             },
                             [](const Config& c) { return c.log.level; }});
    options.push_back(Option{"log.access", "one JSON access-log line per request",
                             [](Config& c, std::string_view v) { c.log.access = ParseBool(v); },
                             [](const Config& c) { return std::string(c.log.access ? "true" : "false"); }});
    return options;
}

}  // namespace

std::span<const Option> AllOptions() {
    static const std::vector<Option> options = BuildOptions();
    return options;
}

std::string EnvName(std::string_view key) {
    std::string name = "GATEHOUSE_";
    for (char ch : key)
        name.push_back(ch == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch))));
    return name;
}

std::string FlagName(std::string_view key) {
    std::string name;
    for (char ch : key) name.push_back(ch == '.' || ch == '_' ? '-' : ch);
    return name;
}

}  // namespace gatehouse::config
