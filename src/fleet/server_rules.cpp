// The rules of a server update that are about trust: who may pin a host key, where stored credentials may go,
// and what the audit trail is told about the change.
#include "core/errc.hpp"
#include "fleet/fleet_impl.hpp"

namespace gatehouse::fleet {
namespace {

// The request brings the credentials the server logs in with, so they are not stored ones being redirected.
bool FreshSshCredentials(const ServerInput& in) {
    return in.auth_method == "password" ? in.password.has_value() : in.ssh_key_id_given && in.ssh_key_id.has_value();
}

boost::json::value PostgresJson(const std::optional<PostgresEndpoint>& pg) {
    if (!pg) return nullptr;
    boost::json::value host = nullptr;
    if (pg->host) host = *pg->host;
    return boost::json::object{{"host", std::move(host)},     {"port", pg->port}, {"sslmode", pg->sslmode},
                               {"via_ssh", pg->via_ssh},      {"user", pg->user}, {"database", pg->database},
                               {"pool_class", pg->pool_class}};
}

}  // namespace

void CheckMayPin(const ServerInput& in, bool caller_is_admin) {
    // Pinning a host key by hand vouches for the machine behind it: an admin's decision.
    if (in.host_key_fingerprint && !caller_is_admin)
        throw core::Error(core::errc::forbidden, "only an admin may set host_key_fingerprint");
}

void BindCredentials(ServerView& server, const ServerView& before, const ServerInput& in) {
    const bool moved = before.address != in.address || before.ssh_port != in.ssh_port;
    if (in.host_key_fingerprint) {
        server.credentials_locked = false;
    } else if (moved && FreshSshCredentials(in)) {
        // The caller vouches for the new endpoint with credentials of its own: pinned on first use there.
        server.host_key_fingerprint.reset();
        server.pending_host_key_fingerprint.reset();
        server.credentials_locked = false;
    } else if (moved) {
        // The pin stays: the same host key at the new address is the same machine; any other waits for an admin.
        server.credentials_locked = true;
    }
    if (!server.postgres || !server.postgres->has_password) return;
    // The password was approved for one place: the host it connects to (or the machine it tunnels through)
    // and the port. Any change there sends it somewhere not yet approved.
    const bool pg_moved =
        before.address != in.address || !before.postgres || before.postgres->port != server.postgres->port ||
        before.postgres->host != server.postgres->host || before.postgres->via_ssh != server.postgres->via_ssh;
    if (in.postgres_password) {
        server.postgres->password_locked = false;
    } else if (pg_moved) {
        server.postgres->password_locked = true;
    } else if (before.postgres) {
        server.postgres->password_locked = before.postgres->password_locked;
    }
}

audit::Changes ServerChanges(const ServerView& before, const ServerView& after, const ServerInput& in) {
    audit::Changes changes;
    changes.Field("name", before.name, after.name);
    changes.Field("address", before.address, after.address);
    changes.Field("ssh_port", before.ssh_port, after.ssh_port);
    changes.Field("ssh_user", before.ssh_user, after.ssh_user);
    changes.Field("auth_method", before.auth_method, after.auth_method);
    changes.Field("ssh_key_id", before.ssh_key_id, after.ssh_key_id);
    changes.Field("host_key_fingerprint", before.host_key_fingerprint, after.host_key_fingerprint);
    changes.Field("credentials_locked", before.credentials_locked, after.credentials_locked);
    changes.Field("tags", before.tags, after.tags);
    changes.Field("description", before.description, after.description);
    changes.Field("postgres", PostgresJson(before.postgres), PostgresJson(after.postgres));
    changes.Secret("password", in.password.has_value());
    changes.Secret("postgres.password", in.postgres_password.has_value());
    return changes;
}

}  // namespace gatehouse::fleet
