#include "app/identity.hpp"

#include "core/ids.hpp"
#include "vault/key_file.hpp"

namespace gatehouse::app {

IdentityStack BuildIdentity(const config::Config& config, store::Database& database, core::WorkerPool& passwords,
                            audit::AuditLog& audit, std::string instance_id, JwtKey jwt_key_file) {
    IdentityStack stack;
    auth::PasswordParams params;
    params.opslimit = static_cast<unsigned long long>(config.auth.argon2_opslimit);
    params.memlimit_bytes = static_cast<std::size_t>(config.auth.argon2_memlimit_kib) * 1024;
    stack.hasher = std::make_unique<auth::PasswordHasher>(params);
    const auto key_path = std::filesystem::path(config.data_dir) / "jwt.key";
    // Without a key file the CLI signs nothing anyway: a throwaway key stands in, and nothing is written.
    const auto jwt_key = jwt_key_file == JwtKey::create_if_missing
                             ? vault::EnsureKeyFile(key_path, 32)
                             : vault::ReadKeyFile(key_path, 32).value_or(core::RandomHex(32));
    auth::IdentityOptions options;
    options.access_ttl_s = config.auth.access_ttl_s;
    options.refresh_ttl_s = config.auth.refresh_ttl_s;
    options.registration_enabled = config.auth.registration_enabled;
    options.instance_id = std::move(instance_id);
    options.throttle.attempts_per_address = config.auth.login_attempts_per_minute;
    options.throttle.failures_per_account = config.auth.login_failures_per_account_per_minute;
    stack.service = std::make_unique<auth::IdentityService>(database, passwords, *stack.hasher, auth::JwtCodec(jwt_key),
                                                            audit, options);
    return stack;
}

}  // namespace gatehouse::app
