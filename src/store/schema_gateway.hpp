#pragma once
// Migration 10: the gateway (routes, access tokens, wallets and their ledger, proxy usage). Included by schema.cpp
// only.

#include <string_view>

namespace gatehouse::store::detail {

// Structured route settings (roles, prices, origins, headers) are JSON text: they are read and written whole.
// A wallet's balance can never go below zero (the CHECK backs the conditional UPDATE of a purchase), and every
// change of it has its ledger row in the same transaction.
inline constexpr std::string_view kGatewaySql = R"sql(
            CREATE TABLE gateway_routes (
                id TEXT PRIMARY KEY,
                slug TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                upstream_url TEXT NOT NULL,
                host TEXT UNIQUE,
                allowed_roles TEXT NOT NULL,
                prices TEXT NOT NULL,
                websocket INTEGER NOT NULL DEFAULT 1,
                rewrite INTEGER NOT NULL DEFAULT 0,
                pass_access_token_header INTEGER NOT NULL DEFAULT 0,
                identity_header TEXT,
                allowed_origins TEXT NOT NULL,
                extra_headers TEXT NOT NULL,
                ca_file TEXT,
                enabled INTEGER NOT NULL DEFAULT 1,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE TABLE access_tokens (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                route_id TEXT NOT NULL REFERENCES gateway_routes (id) ON DELETE CASCADE,
                token_hash TEXT NOT NULL UNIQUE,
                duration_hours INTEGER NOT NULL,
                price BIGINT NOT NULL,
                created_at TEXT NOT NULL,
                expires_at TEXT NOT NULL,
                expires_epoch BIGINT NOT NULL,
                revoked_at TEXT,
                refunded BIGINT NOT NULL DEFAULT 0,
                idempotency_key TEXT,
                UNIQUE (user_id, idempotency_key)
            );
            CREATE INDEX access_tokens_user ON access_tokens (user_id, id);
            CREATE INDEX access_tokens_expiry ON access_tokens (expires_epoch);
            CREATE TABLE wallets (
                user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
                balance BIGINT NOT NULL CHECK (balance >= 0),
                updated_at TEXT NOT NULL
            );
            CREATE TABLE wallet_transactions (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                kind TEXT NOT NULL CHECK (kind IN ('top_up', 'purchase', 'refund', 'adjustment')),
                amount BIGINT NOT NULL,
                balance_after BIGINT NOT NULL CHECK (balance_after >= 0),
                token_id TEXT,
                note TEXT NOT NULL,
                created_by TEXT NOT NULL,
                created_at TEXT NOT NULL
            );
            CREATE INDEX wallet_transactions_user ON wallet_transactions (user_id, id);
            CREATE TABLE proxy_sessions (
                token_id TEXT NOT NULL REFERENCES access_tokens (id) ON DELETE CASCADE,
                instance_id TEXT NOT NULL,
                user_id TEXT NOT NULL,
                route_id TEXT NOT NULL,
                first_seen TEXT NOT NULL,
                last_seen TEXT NOT NULL,
                requests BIGINT NOT NULL,
                bytes_in BIGINT NOT NULL,
                bytes_out BIGINT NOT NULL,
                client_address TEXT NOT NULL,
                user_agent TEXT NOT NULL,
                open_websockets BIGINT NOT NULL,
                PRIMARY KEY (token_id, instance_id)
            );
            CREATE INDEX proxy_sessions_user ON proxy_sessions (user_id);
        )sql";

}  // namespace gatehouse::store::detail
