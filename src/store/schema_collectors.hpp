#pragma once
// Migrations 11 and 12: collectors (their CAs, enrolment tokens, certificates and configs), the metrics store
// (series, samples, rollups, pushed batches) and alerting (rules, alerts, their history and webhook deliveries).
// Included by schema.cpp only.

#include <string_view>

namespace gatehouse::store::detail {

// Timestamps of samples are Unix milliseconds (BIGINT): they are compared, bucketed and partitioned as numbers.
// A series id is the first 8 bytes of the SHA-256 of its name and sorted labels, so every instance and every push
// computes the same id without asking the database.
inline constexpr std::string_view kCollectorsSql = R"sql(
            CREATE TABLE collector_cas (
                id TEXT PRIMARY KEY,
                certificate TEXT NOT NULL,
                sha256 TEXT NOT NULL UNIQUE,
                not_after TEXT NOT NULL,
                created_at TEXT NOT NULL,
                retired_at TEXT
            );
            CREATE TABLE collector_enrolment_tokens (
                id TEXT PRIMARY KEY,
                token_hash TEXT NOT NULL UNIQUE,
                note TEXT NOT NULL,
                created_by TEXT NOT NULL,
                created_at TEXT NOT NULL,
                expires_at TEXT NOT NULL,
                expires_epoch BIGINT NOT NULL,
                used_at TEXT,
                collector_id TEXT
            );
            CREATE TABLE collectors (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                hostname TEXT NOT NULL,
                cert_sha256 TEXT NOT NULL UNIQUE,
                cert_not_after TEXT NOT NULL,
                cert_not_after_epoch BIGINT NOT NULL,
                previous_cert_sha256 TEXT UNIQUE,
                previous_not_after_epoch BIGINT,
                previous_ca_id TEXT,
                ca_id TEXT NOT NULL,
                created_by TEXT NOT NULL,
                created_at TEXT NOT NULL,
                renewed_at TEXT,
                last_push_at TEXT,
                last_push_epoch BIGINT,
                samples_accepted BIGINT NOT NULL DEFAULT 0,
                samples_rejected BIGINT NOT NULL DEFAULT 0,
                batches BIGINT NOT NULL DEFAULT 0,
                agent_version TEXT NOT NULL DEFAULT '',
                config TEXT NOT NULL,
                config_version BIGINT NOT NULL DEFAULT 1,
                config_updated_at TEXT NOT NULL
            );
            CREATE INDEX collectors_created ON collectors (id);
            CREATE TABLE metric_series (
                id BIGINT PRIMARY KEY,
                name TEXT NOT NULL,
                labels TEXT NOT NULL,
                created_at TEXT NOT NULL
            );
            CREATE INDEX metric_series_name ON metric_series (name);
            CREATE TABLE metric_batches (
                collector_id TEXT NOT NULL,
                batch_id TEXT NOT NULL,
                answer TEXT NOT NULL,
                received_epoch BIGINT NOT NULL,
                PRIMARY KEY (collector_id, batch_id)
            );
            CREATE INDEX metric_batches_received ON metric_batches (received_epoch);
            CREATE TABLE metric_rollup_dirty (
                bucket BIGINT PRIMARY KEY
            );
            CREATE TABLE metric_rollups_1h (
                series_id BIGINT NOT NULL,
                ts BIGINT NOT NULL,
                min DOUBLE PRECISION NOT NULL,
                max DOUBLE PRECISION NOT NULL,
                sum DOUBLE PRECISION NOT NULL,
                count BIGINT NOT NULL,
                last DOUBLE PRECISION NOT NULL,
                last_ts BIGINT NOT NULL,
                PRIMARY KEY (series_id, ts)
            );
            CREATE INDEX metric_rollups_1h_ts ON metric_rollups_1h (ts);
            CREATE TABLE alert_rules (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                expr TEXT NOT NULL,
                op TEXT NOT NULL,
                threshold DOUBLE PRECISION NOT NULL,
                for_s BIGINT NOT NULL,
                severity TEXT NOT NULL,
                labels TEXT NOT NULL,
                annotations TEXT NOT NULL,
                webhook_url TEXT,
                repeat_interval_s BIGINT NOT NULL,
                enabled INTEGER NOT NULL,
                builtin INTEGER NOT NULL DEFAULT 0,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE TABLE alerts (
                id TEXT PRIMARY KEY,
                rule_id TEXT NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
                fingerprint TEXT NOT NULL,
                labels TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('pending', 'firing', 'resolved')),
                severity TEXT NOT NULL,
                value DOUBLE PRECISION,
                started_at TEXT NOT NULL,
                started_epoch BIGINT NOT NULL,
                fired_at TEXT,
                resolved_at TEXT,
                acknowledged_at TEXT,
                acknowledged_by TEXT,
                ack_comment TEXT,
                last_notified_epoch BIGINT,
                updated_at TEXT NOT NULL
            );
            CREATE INDEX alerts_rule ON alerts (rule_id, fingerprint, state);
            CREATE INDEX alerts_state ON alerts (state, id);
            CREATE TABLE alert_events (
                id TEXT PRIMARY KEY,
                alert_id TEXT NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
                state TEXT NOT NULL,
                value DOUBLE PRECISION,
                note TEXT NOT NULL,
                at TEXT NOT NULL
            );
            CREATE INDEX alert_events_alert ON alert_events (alert_id, id);
            CREATE TABLE alert_deliveries (
                id TEXT PRIMARY KEY,
                alert_id TEXT NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
                event TEXT NOT NULL,
                url TEXT NOT NULL,
                attempt INTEGER NOT NULL,
                status INTEGER,
                error TEXT,
                at TEXT NOT NULL
            );
            CREATE INDEX alert_deliveries_alert ON alert_deliveries (alert_id, id);
)sql";

// Raw samples and 1-minute rollups: one table each in SQLite; on PostgreSQL range-partitioned by day on `ts`, so
// retention drops whole partitions instead of deleting rows (the metrics store creates partitions ahead).
#define GATEHOUSE_METRIC_TABLES(PARTITION)                                                                          \
    "CREATE TABLE metric_samples (series_id BIGINT NOT NULL, ts BIGINT NOT NULL, value DOUBLE PRECISION NOT NULL, " \
    "PRIMARY KEY (series_id, ts))" PARTITION                                                                        \
    ";\nCREATE TABLE metric_rollups_1m (series_id BIGINT NOT NULL, ts BIGINT NOT NULL, min DOUBLE PRECISION NOT "   \
    "NULL, max DOUBLE PRECISION NOT NULL, sum DOUBLE PRECISION NOT NULL, count BIGINT NOT NULL, last DOUBLE "       \
    "PRECISION NOT NULL, last_ts BIGINT NOT NULL, PRIMARY KEY (series_id, ts))" PARTITION                           \
    ";\n"                                                                                                           \
    "CREATE INDEX metric_samples_ts ON metric_samples (ts);\n"                                                      \
    "CREATE INDEX metric_rollups_1m_ts ON metric_rollups_1m (ts);\n"

// Migration 12.
inline constexpr std::string_view kMetricTablesSqlite = GATEHOUSE_METRIC_TABLES("");
inline constexpr std::string_view kMetricTablesPostgres = GATEHOUSE_METRIC_TABLES(" PARTITION BY RANGE (ts)");
#undef GATEHOUSE_METRIC_TABLES

}  // namespace gatehouse::store::detail
