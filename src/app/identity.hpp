#pragma once

#include <filesystem>
#include <memory>

#include "audit/audit_log.hpp"
#include "auth/identity_service.hpp"
#include "config/config.hpp"
#include "core/worker_pool.hpp"

namespace gatehouse::app {

/// The identity stack (hasher, JWT key, service) as `serve` and the `user` commands build it.
struct IdentityStack {
    std::unique_ptr<auth::PasswordHasher> hasher;
    std::unique_ptr<auth::IdentityService> service;
};

/// Whether building the stack may create the JWT key file. The CLI never issues tokens and never creates keys.
enum class JwtKey { create_if_missing, read_if_present };

/// Reads (or, with JwtKey::create_if_missing, creates) the JWT key in the data directory. Password hashing runs on
/// `passwords`; `instance_id` names this process in the auth changes it announces. Throws std::runtime_error.
IdentityStack BuildIdentity(const config::Config& config, store::Database& database, core::WorkerPool& passwords,
                            audit::AuditLog& audit, std::string instance_id,
                            JwtKey jwt_key_file = JwtKey::create_if_missing);

}  // namespace gatehouse::app
