#pragma once
// Migration 5: remote work (tasks, their targets and output) and compose apps. Included by
// schema.cpp only. The dialects differ in the output's byte column alone (migration 6).

#include <string_view>

namespace gatehouse::store::detail {

inline constexpr std::string_view kWorkSql = R"sql(
            CREATE TABLE tasks (
                id TEXT PRIMARY KEY,
                kind TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'timed_out',
                                                     'cancelled', 'interrupted')),
                params TEXT NOT NULL DEFAULT '{}',
                created_by TEXT,
                created_by_name TEXT,
                created_at TEXT NOT NULL,
                started_at TEXT,
                finished_at TEXT,
                timeout_s INTEGER NOT NULL,
                concurrency INTEGER NOT NULL,
                total INTEGER NOT NULL,
                done INTEGER NOT NULL DEFAULT 0,
                instance_id TEXT,
                heartbeat_epoch BIGINT,
                cancel_requested INTEGER NOT NULL DEFAULT 0
            );
            CREATE INDEX tasks_state ON tasks (state, id);
            CREATE INDEX tasks_instance ON tasks (instance_id, state);
            CREATE INDEX tasks_creator ON tasks (created_by, id);
            CREATE TABLE task_targets (
                task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                server_id TEXT NOT NULL,
                server_name TEXT NOT NULL DEFAULT '',
                state TEXT NOT NULL,
                exit_code INTEGER,
                started_at TEXT,
                finished_at TEXT,
                result TEXT,
                error TEXT,
                PRIMARY KEY (task_id, server_id)
            );
            CREATE INDEX task_targets_server ON task_targets (server_id, task_id);
            CREATE TABLE projects (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                description TEXT NOT NULL DEFAULT '',
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE TABLE apps (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
                server_id TEXT NOT NULL REFERENCES servers (id),
                cd_path TEXT NOT NULL,
                app_url TEXT NOT NULL DEFAULT '',
                auto_stop_minutes INTEGER NOT NULL DEFAULT 60,
                status TEXT NOT NULL DEFAULT 'stopped'
                    CHECK (status IN ('stopped', 'starting', 'running', 'stopping', 'failed')),
                started_at TEXT,
                auto_stop_at TEXT,
                auto_stop_epoch BIGINT,
                last_task_id TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                UNIQUE (project_id, name)
            );
            CREATE INDEX apps_server ON apps (server_id);
            CREATE INDEX apps_auto_stop ON apps (status, auto_stop_epoch);
        )sql";

// Chunks of task output as they arrived; seq orders them within a task.
inline constexpr std::string_view kTaskOutputSqlite = R"sql(
            CREATE TABLE task_output (
                task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
                seq BIGINT NOT NULL,
                server_id TEXT NOT NULL,
                stream INTEGER NOT NULL,
                ts TEXT NOT NULL,
                data BLOB NOT NULL,
                PRIMARY KEY (task_id, seq)
            );
        )sql";
inline constexpr std::string_view kTaskOutputPostgres = R"sql(
            CREATE TABLE task_output (
                task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
                seq BIGINT NOT NULL,
                server_id TEXT NOT NULL,
                stream INTEGER NOT NULL,
                ts TEXT NOT NULL,
                data BYTEA NOT NULL,
                PRIMARY KEY (task_id, seq)
            );
        )sql";

}  // namespace gatehouse::store::detail
