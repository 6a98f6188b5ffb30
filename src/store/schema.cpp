#include "store/migrations.hpp"
#include "store/schema_auth.hpp"
#include "store/schema_collectors.hpp"
#include "store/schema_gateway.hpp"
#include "store/schema_work.hpp"

namespace gatehouse::store {
namespace {

// Append new steps at the end with the next version; never edit a released one. Steps whose SQL is
// the same in both dialects share one string. Booleans are INTEGER 0/1 and timestamps RFC 3339 TEXT
// in both dialects, so repositories stay dialect-free.
constexpr std::string_view kIdentitySql = R"sql(
            CREATE TABLE users (
                id TEXT PRIMARY KEY,
                username TEXT NOT NULL,
                username_key TEXT NOT NULL UNIQUE,
                password_hash TEXT NOT NULL,
                role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
                disabled INTEGER NOT NULL DEFAULT 0,
                token_generation BIGINT NOT NULL DEFAULT 0,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE TABLE refresh_tokens (
                id TEXT PRIMARY KEY,
                family_id TEXT NOT NULL,
                user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                token_hash TEXT NOT NULL UNIQUE,
                created_at TEXT NOT NULL,
                expires_epoch BIGINT NOT NULL,
                used INTEGER NOT NULL DEFAULT 0,
                revoked INTEGER NOT NULL DEFAULT 0
            );
            CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
            CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);
            CREATE TABLE revoked_jtis (
                jti TEXT PRIMARY KEY,
                expires_epoch BIGINT NOT NULL
            );
            CREATE TABLE api_tokens (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
                prefix TEXT NOT NULL,
                token_hash TEXT NOT NULL UNIQUE,
                created_at TEXT NOT NULL,
                expires_at TEXT,
                expires_epoch BIGINT,
                last_used_at TEXT,
                revoked INTEGER NOT NULL DEFAULT 0
            );
            CREATE INDEX api_tokens_user ON api_tokens (user_id);
        )sql";

constexpr std::string_view kAuditSql = R"sql(
            CREATE TABLE audit_events (
                id TEXT PRIMARY KEY,
                ts TEXT NOT NULL,
                actor_kind TEXT NOT NULL,
                actor_id TEXT,
                actor_name TEXT,
                source_ip TEXT,
                user_agent TEXT,
                action TEXT NOT NULL,
                resource_type TEXT,
                resource_id TEXT,
                outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
                status INTEGER,
                request_id TEXT,
                details TEXT NOT NULL DEFAULT '{}'
            );
            CREATE INDEX audit_events_ts ON audit_events (ts);
            CREATE INDEX audit_events_action ON audit_events (action, ts);
            CREATE INDEX audit_events_actor ON audit_events (actor_id, ts);
        )sql";

constexpr Migration kMigrations[] = {
    {
        .version = 1,
        .name = "instance",
        .sqlite = R"sql(
            CREATE TABLE instance_info (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
            );
        )sql",
        .postgres = R"sql(
            CREATE TABLE instance_info (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
            );
        )sql",
    },
    {
        .version = 2,
        .name = "identity",
        .sqlite = kIdentitySql,
        .postgres = kIdentitySql,
    },
    {
        .version = 3,
        .name = "audit",
        .sqlite = kAuditSql,
        .postgres = kAuditSql,
    },
    {
        .version = 4,
        .name = "fleet_and_vault",
        .sqlite = R"sql(
            CREATE TABLE vault_meta (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
            );
            CREATE TABLE secrets (
                id TEXT PRIMARY KEY,
                owner_type TEXT NOT NULL,
                owner_id TEXT NOT NULL,
                purpose TEXT NOT NULL,
                key_id TEXT NOT NULL,
                nonce BLOB NOT NULL,
                ciphertext BLOB NOT NULL,
                created_at TEXT NOT NULL,
                UNIQUE (owner_type, owner_id, purpose)
            );
            CREATE TABLE ssh_keys (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                type TEXT NOT NULL,
                bits INTEGER NOT NULL,
                fingerprint TEXT NOT NULL,
                comment TEXT NOT NULL DEFAULT '',
                public_key TEXT NOT NULL,
                has_private_key INTEGER NOT NULL DEFAULT 0,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE TABLE servers (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                address TEXT NOT NULL,
                ssh_port INTEGER NOT NULL,
                ssh_user TEXT NOT NULL,
                auth_method TEXT NOT NULL CHECK (auth_method IN ('password', 'key')),
                ssh_key_id TEXT REFERENCES ssh_keys (id),
                has_password INTEGER NOT NULL DEFAULT 0,
                host_key_fingerprint TEXT,
                pending_host_key_fingerprint TEXT,
                tags TEXT NOT NULL DEFAULT '[]',
                description TEXT NOT NULL DEFAULT '',
                postgres TEXT,
                status TEXT NOT NULL DEFAULT 'unknown',
                status_detail TEXT,
                last_checked TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE INDEX servers_ssh_key ON servers (ssh_key_id);
        )sql",
        .postgres = R"sql(
            CREATE TABLE vault_meta (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
            );
            CREATE TABLE secrets (
                id TEXT PRIMARY KEY,
                owner_type TEXT NOT NULL,
                owner_id TEXT NOT NULL,
                purpose TEXT NOT NULL,
                key_id TEXT NOT NULL,
                nonce BYTEA NOT NULL,
                ciphertext BYTEA NOT NULL,
                created_at TEXT NOT NULL,
                UNIQUE (owner_type, owner_id, purpose)
            );
            CREATE TABLE ssh_keys (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                type TEXT NOT NULL,
                bits INTEGER NOT NULL,
                fingerprint TEXT NOT NULL,
                comment TEXT NOT NULL DEFAULT '',
                public_key TEXT NOT NULL,
                has_private_key INTEGER NOT NULL DEFAULT 0,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE TABLE servers (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                address TEXT NOT NULL,
                ssh_port INTEGER NOT NULL,
                ssh_user TEXT NOT NULL,
                auth_method TEXT NOT NULL CHECK (auth_method IN ('password', 'key')),
                ssh_key_id TEXT REFERENCES ssh_keys (id),
                has_password INTEGER NOT NULL DEFAULT 0,
                host_key_fingerprint TEXT,
                pending_host_key_fingerprint TEXT,
                tags TEXT NOT NULL DEFAULT '[]',
                description TEXT NOT NULL DEFAULT '',
                postgres TEXT,
                status TEXT NOT NULL DEFAULT 'unknown',
                status_detail TEXT,
                last_checked TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE INDEX servers_ssh_key ON servers (ssh_key_id);
        )sql",
    },
    {
        .version = 5,
        .name = "tasks_and_apps",
        .sqlite = detail::kWorkSql,
        .postgres = detail::kWorkSql,
    },
    {
        .version = 6,
        .name = "task_output",
        .sqlite = detail::kTaskOutputSqlite,
        .postgres = detail::kTaskOutputPostgres,
    },
    {
        .version = 7,
        .name = "app_run_limit",
        // The auto-stop limit of an app's current run: a start may override the app's value, a PUT
        // may change it while the app runs; the auto-stop audit event reports it.
        .sqlite = "ALTER TABLE apps ADD COLUMN run_auto_stop_minutes INTEGER;",
        .postgres = "ALTER TABLE apps ADD COLUMN run_auto_stop_minutes INTEGER;",
    },
    {
        .version = 8,
        .name = "server_credentials_lock",
        // Stored credentials are bound to the endpoint they were approved for: a moved server keeps them
        // locked until an admin accepts the new host key or new credentials come with the move.
        .sqlite = "ALTER TABLE servers ADD COLUMN credentials_locked INTEGER NOT NULL DEFAULT 0;",
        .postgres = "ALTER TABLE servers ADD COLUMN credentials_locked INTEGER NOT NULL DEFAULT 0;",
    },
    {
        .version = 9,
        .name = "auth_epoch",
        // Every change of the auth state bumps one dense counter, so each instance's in-memory view can tell
        // whether it has seen every change; users and tokens record the epoch of their last change, and
        // revoked refresh families are kept while access tokens issued from them may still be alive.
        .sqlite = detail::kAuthEpochSql,
        .postgres = detail::kAuthEpochSql,
    },
    {
        .version = 10,
        .name = "gateway",
        .sqlite = detail::kGatewaySql,
        .postgres = detail::kGatewaySql,
    },
    {
        .version = 11,
        .name = "collectors_metrics_alerts",
        .sqlite = detail::kCollectorsSql,
        .postgres = detail::kCollectorsSql,
    },
    {
        .version = 12,
        .name = "metric_samples",
        .sqlite = detail::kMetricTablesSqlite,
        .postgres = detail::kMetricTablesPostgres,
    },
};

}  // namespace

std::span<const Migration> AllMigrations() { return kMigrations; }

}  // namespace gatehouse::store
