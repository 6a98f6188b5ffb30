#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gatehouse::config {

struct HttpConfig {
    std::size_t max_header_bytes = 8 * 1024;
    std::size_t max_body_bytes = 1024 * 1024;
    int read_timeout_s = 10;    // whole request (headers and body) once its first byte arrived
    int idle_timeout_s = 60;    // keep-alive connection waiting for its next request
    int shutdown_grace_s = 10;  // in-flight requests get this long after SIGTERM
    int io_threads = 0;         // 0: one per core
    int max_connections = 10000;
    int max_connections_per_address = 1024;  // beyond it the address's idlest connection is closed
};

struct TlsConfig {
    std::string cert_file;
    std::string key_file;
    bool enabled() const noexcept { return !cert_file.empty() && !key_file.empty(); }
};

struct DatabaseConfig {
    std::string url;  // empty: SQLite in the data directory
    int pool_size = 8;
    int sqlite_readers = 4;
    int statement_timeout_ms = 30000;  // PostgreSQL sessions
    int acquire_timeout_ms = 5000;     // waiting for a free connection (503 beyond)
};

struct WorkersConfig {
    int threads = 4;  // blocking work other than the database (argon2, ssh, key generation)
    int max_queued = 10000;
    int ssh_threads = 64;             // task commands over SSH in progress at once
    int ssh_probe_threads = 16;       // status, disk and scheduled probes
    int ssh_interactive_threads = 8;  // test-ssh and host-key checks
    int password_threads = 2;         // argon2 hashing and checks
    int password_max_queued = 32;     // password checks that may wait before 503
    int postgres_threads = 16;        // monitoring queries (libpq) and SSH forwards in progress at once
};

struct AuthConfig {
    int access_ttl_s = 15 * 60;
    int refresh_ttl_s = 14 * 24 * 3600;
    bool registration_enabled = false;
    bool cookie_secure = false;                      // always on under TLS
    std::string cookie_samesite = "Lax";             // Lax | Strict | None
    int login_attempts_per_minute = 10;              // per source address, and per username and address
    int login_failures_per_account_per_minute = 50;  // per username from clients it has no device cookie of
    int argon2_opslimit = 2;
    int argon2_memlimit_kib = 65536;
    std::string trusted_proxies;  // comma-separated addresses whose X-Forwarded-For is believed
    std::string cors_origins;     // comma-separated origins allowed to call with credentials
};

struct FleetConfig {
    int probe_interval_s = 60;  // status of every server refreshed this often
    int probe_concurrency = 8;  // servers probed at once
    int status_ttl_s = 5;
    int disk_ttl_s = 30;
    int failure_ttl_s = 10;  // a failed disk read is answered from the cache this long
};

/// PostgreSQL monitoring of the fleet's servers (the `postgres` endpoint of a server).
struct PostgresMonitorConfig {
    int activity_ttl_ms = 5000;  // an activity snapshot is served from cache this long
    int stats_ttl_ms = 30000;    // statistics and database snapshots
    int query_text_max = 1000;   // characters of each session's query shown
    int table_limit = 100;       // tables in a database's statistics (the largest)
    int size_interval_s = 300;   // database sizes (a walk over their files) read at most this often per server
    int connect_timeout_s = 5;
    int statement_timeout_ms = 5000;  // of every monitoring session
    int lock_timeout_ms = 1000;
    int idle_timeout_s = 300;  // idle connections beyond a pool's minimum are closed after this
    int acquire_timeout_ms = 5000;
    int backoff_ms = 500;  // after a failed connect; doubles up to 30 s
    int pool_default_min = 1, pool_default_max = 5;
    int pool_stats_db_min = 2, pool_stats_db_max = 10;
    int pool_high_load_min = 5, pool_high_load_max = 20;
};

struct GatewayConfig {
    bool refund_unused = true;                // a revoked access token gives back its unused whole hours
    bool cookie_secure = false;               // the gatehouse_access cookie is Secure (always under TLS)
    std::string cookie_samesite = "Lax";      // of the gatehouse_access cookie
    int connect_timeout_ms = 5000;            // connecting to an upstream
    int read_timeout_s = 60;                  // waiting for an upstream's response (and between its body's pieces)
    int rewrite_max_bytes = 8 * 1024 * 1024;  // responses larger than this stream unrewritten
    int upstream_idle = 64;                   // idle keep-alive connections kept per upstream
    int upstream_idle_timeout_s = 60;         // an idle upstream connection is closed after this
    int sync_interval_s = 30;                 // full reload of routes and tokens (besides LISTEN/NOTIFY)
};

struct AppsConfig {
    int auto_stop_check_s = 30;  // running apps past their deadline are stopped this often
};

struct CollectorsConfig {
    std::string listen = "127.0.0.1:8443";  // the mTLS listener collectors push to; empty: none
    std::string cert_file;                  // its server certificate (default: issued by the internal CA)
    std::string key_file;
    std::string server_names = "localhost";  // DNS names of the issued server certificate (besides its IP)
    int certificate_days = 30;               // client certificates issued to collectors
    int token_ttl_s = 1800;                  // collector JWTs
    int enrolment_token_ttl_s = 3600;        // default life of a one-time enrolment token
    int sync_interval_s = 5;                 // reload of live collectors and trusted CAs (other instances' changes)
};

struct MetricsConfig {
    int retention_raw_days = 7;
    int retention_1m_days = 30;
    int retention_1h_days = 400;
    int rollup_interval_s = 60;    // how often closed minutes and hours are rolled up
    int max_points = 11000;        // points in one query answer (400 beyond)
    int max_series = 500;          // series in one query answer (400 beyond)
    int max_samples = 10000;       // samples in one push
    int sample_interval_s = 0;     // built-in PostgreSQL sampler; 0: the collector config's default (15 s)
    std::string remote_write_url;  // also forward accepted samples to a Prometheus remote-write endpoint
};

struct AlertsConfig {
    int eval_interval_s = 15;
    int webhook_timeout_s = 10;
    int webhook_attempts = 5;  // deliveries tried per notification (backoff 1, 2, 4, ... s)
};

struct AuditConfig {
    int retention_days = 90;
    int queue_max = 100000;  // events waiting to be written; beyond it they are dropped and counted
};

struct UiConfig {
    std::string dir;  // serve the web UI from this built directory instead of the copy embedded in the binary
};

struct LogConfig {
    std::string level = "info";
    bool access = true;
};

struct Config {
    std::string listen = "127.0.0.1:8080";
    std::string data_dir = "./gatehouse-data";
    HttpConfig http;
    TlsConfig tls;
    DatabaseConfig database;
    WorkersConfig workers;
    AuthConfig auth;
    AuditConfig audit;
    FleetConfig fleet;
    PostgresMonitorConfig postgres;
    GatewayConfig gateway;
    AppsConfig apps;
    CollectorsConfig collectors;
    MetricsConfig metrics;
    AlertsConfig alerts;
    UiConfig ui;
    LogConfig log;
};

/// Splits a comma-separated list, trimming spaces and dropping empty items.
std::vector<std::string> SplitList(const std::string& text);

/// Where values come from, lowest precedence first: defaults, TOML file, environment, flags.
struct Sources {
    std::optional<std::string> config_file;                                // path of a TOML file
    std::function<std::optional<std::string>(const std::string&)> getenv;  // nullptr: the process environment
    std::map<std::string, std::string> flags;  // option key ("http.read_timeout_s") -> value given on the command line
};

/// Builds the configuration. Throws std::invalid_argument naming the option and its source when a
/// value is malformed or out of range, or the TOML file has an unknown key or cannot be read.
Config Load(const Sources& sources);

/// Splits "host:port" / "[v6]:port". Throws std::invalid_argument when malformed.
std::pair<std::string, std::uint16_t> SplitListen(const std::string& listen);

}  // namespace gatehouse::config
