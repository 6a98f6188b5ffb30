#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/errc.hpp"
#include "core/ids.hpp"
#include "core/time.hpp"
#include "fleet/fleet_impl.hpp"
#include "ssh/key_material.hpp"

namespace gatehouse::fleet {

vault::Owner ServerPassword(const std::string& id) { return {"server", id, "ssh_password"}; }
vault::Owner ServerPostgresPassword(const std::string& id) { return {"server", id, "postgres_password"}; }
vault::Owner KeyPrivate(const std::string& id) { return {"ssh_key", id, "private_key"}; }
vault::Owner KeyPassphrase(const std::string& id) { return {"ssh_key", id, "passphrase"}; }

namespace {

core::Error NotFound(std::string_view what) {
    return core::Error(core::errc::not_found, "no such " + std::string(what));
}

core::Error NameTaken(std::string_view what, std::string_view name) {
    return core::Error(core::errc::already_exists, std::string(what) + " name '" + std::string(name) + "' is taken");
}

KeyView ToView(const ssh::KeyMaterial& material, std::string name) {
    const auto now = core::NowRfc3339();
    return KeyView{core::NewUuidV7(),
                   std::move(name),
                   material.type,
                   material.bits,
                   material.fingerprint,
                   material.comment,
                   material.public_key,
                   material.private_key.has_value(),
                   now,
                   now};
}

}  // namespace

FleetService::FleetService(store::Database& database, vault::Vault& vault, core::WorkerPool& cpu, ssh::SshClient& ssh,
                           audit::AuditLog& audit, FleetOptions options)
    : impl_(std::make_shared<Impl>(database, vault, cpu, ssh, audit, options)) {}

const metrics::CounterVec& FleetService::probe_results() const noexcept { return impl_->probe_results; }

boost::asio::awaitable<KeyView> StoreKey(FleetService::Impl& impl, const ssh::KeyMaterial& material, std::string name) {
    auto view = ToView(material, std::move(name));
    co_await impl.db.Write([&](store::Connection& c) {
        // One key, one record: a second copy would leave servers and deployments split between two names.
        if (const auto existing = sql::FindKeyByFingerprint(c, view.fingerprint))
            throw core::Error(core::errc::already_exists, "this key is already stored as '" + existing->name +
                                                              "' (id " + existing->id + ", " + existing->fingerprint +
                                                              ")");
        try {
            sql::InsertKey(c, view);
        } catch (const core::Error& e) {
            if (e.code() == core::errc::already_exists) throw NameTaken("key", view.name);
            throw;
        }
        if (material.private_key) impl.vault.Seal(c, KeyPrivate(view.id), *material.private_key);
        if (material.passphrase) impl.vault.Seal(c, KeyPassphrase(view.id), *material.passphrase);
    });
    co_return view;
}

boost::asio::awaitable<KeyView> FleetService::GenerateKey(std::string name, std::string type, int bits,
                                                          std::string comment) {
    ValidateName("name", name);
    auto material = co_await core::Offload(impl_->cpu, [&] { return ssh::GenerateKey(type, bits, comment); });
    co_return co_await StoreKey(*impl_, material, std::move(name));
}

boost::asio::awaitable<KeyView> FleetService::ImportKey(ImportInput input) {
    ValidateName("name", input.name);
    if (input.private_key.has_value() == input.public_key.has_value())
        throw core::Error(core::errc::invalid_argument, "give exactly one of private_key and public_key");
    auto material = co_await core::Offload(impl_->cpu, [&] {
        const std::string comment = input.comment.value_or("");
        return input.private_key ? ssh::ImportPrivateKey(*input.private_key, input.passphrase.value_or(""), comment)
                                 : ssh::ImportPublicKey(*input.public_key, comment);
    });
    co_return co_await StoreKey(*impl_, material, std::move(input.name));
}

boost::asio::awaitable<Page<KeyView>> FleetService::ListKeys(std::size_t limit, std::string cursor) {
    const auto after = CheckCursor(cursor);
    auto rows = co_await impl_->db.Read([&](store::Connection& c) { return sql::ListKeys(c, after, limit + 1); });
    co_return Paged(std::move(rows), limit);
}

boost::asio::awaitable<KeyView> FleetService::GetKey(std::string id) {
    auto key = co_await impl_->db.Read([&](store::Connection& c) { return sql::FindKey(c, id); });
    if (!key) throw NotFound("SSH key");
    co_return *key;
}

boost::asio::awaitable<KeyView> FleetService::PatchKey(std::string id, std::optional<std::string> name,
                                                       std::optional<std::string> comment) {
    if (name) ValidateName("name", *name);
    if (comment && !ssh::ValidKeyComment(*comment))
        throw core::Error(core::errc::invalid_argument,
                          "field 'comment' must be one line of at most 1024 bytes without control characters");
    co_return co_await impl_->db.Write([&](store::Connection& c) {
        auto key = sql::FindKey(c, id);
        if (!key) throw NotFound("SSH key");
        if (name) key->name = *name;
        if (comment) {
            // The comment is part of the public key line: the download and every later deployment carry it.
            key->comment = *comment;
            key->public_key = ssh::WithComment(key->public_key, *comment);
        }
        key->updated_at = core::NowRfc3339();
        try {
            sql::UpdateKey(c, *key);
        } catch (const core::Error& e) {
            if (e.code() == core::errc::already_exists) throw NameTaken("key", key->name);
            throw;
        }
        return *key;
    });
}

boost::asio::awaitable<void> FleetService::DeleteKey(std::string id, bool force) {
    co_await impl_->db.Write([&](store::Connection& c) {
        if (!sql::FindKey(c, id)) throw NotFound("SSH key");
        const auto users = sql::ServersUsingKey(c, id);
        // A server whose login is this key would be left with auth_method key and no key: never, not even forced.
        std::vector<std::string> logging_in;
        for (const auto& server : users)
            if (server.auth_method == "key") logging_in.push_back("'" + server.name + "'");
        if (!logging_in.empty())
            throw core::Error(core::errc::conflict,
                              std::to_string(logging_in.size()) + " server(s) log in with this key (" +
                                  fmt::format("{}", fmt::join(logging_in, ", ")) +
                                  "): switch them to another key or to a password first, then delete it");
        if (!users.empty() && !force)
            throw core::Error(core::errc::conflict,
                              std::to_string(users.size()) +
                                  " server(s) keep this key but log in with a password; pass ?force=true to detach it");
        sql::DetachKey(c, id);
        impl_->vault.EraseAll(c, "ssh_key", id);
        sql::DeleteKey(c, id);
    });
}

boost::asio::awaitable<std::vector<ServerView>> FleetService::ServersUsingKey(std::string id) {
    co_return co_await impl_->db.Read([&](store::Connection& c) {
        if (!sql::FindKey(c, id)) throw NotFound("SSH key");
        return sql::ServersUsingKey(c, id);
    });
}

boost::asio::awaitable<Page<ServerView>> FleetService::ListServers(std::size_t limit, std::string cursor,
                                                                   ServerFilter filter) {
    const auto after = CheckCursor(cursor);
    auto rows =
        co_await impl_->db.Read([&](store::Connection& c) { return sql::ListServers(c, after, limit + 1, filter); });
    co_return Paged(std::move(rows), limit);
}

boost::asio::awaitable<ServerView> FleetService::GetServer(std::string id) {
    auto server = co_await impl_->db.Read([&](store::Connection& c) { return sql::FindServer(c, id); });
    if (!server) throw NotFound("server");
    co_return *server;
}

namespace {

// Applies `in` to `server` inside a transaction: checks the key, seals the secrets.
void Apply(FleetService::Impl& impl, store::Connection& c, ServerView& server, const ServerInput& in, bool creating) {
    if (in.ssh_key_id) {
        auto key = sql::FindKey(c, *in.ssh_key_id);
        if (!key) throw core::Error(core::errc::invalid_argument, "field 'ssh_key_id' names no SSH key");
        if (in.auth_method == "key" && !key->has_private_key)
            throw core::Error(core::errc::invalid_argument,
                              "field 'ssh_key_id' names a public-only key, which cannot log in");
    }
    server.name = in.name;
    server.address = in.address;
    server.ssh_port = in.ssh_port;
    server.ssh_user = in.ssh_user;
    server.auth_method = in.auth_method;
    server.ssh_key_id = in.ssh_key_id;
    if (in.host_key_fingerprint) server.host_key_fingerprint = in.host_key_fingerprint;
    server.tags = in.tags;
    server.description = in.description;
    const bool had_pg_password = server.postgres && server.postgres->has_password;
    server.postgres = in.postgres;
    if (in.password) {
        impl.vault.Seal(c, ServerPassword(server.id), *in.password);
        server.has_password = true;
    }
    if (in.auth_method == "password" && !server.has_password)
        throw core::Error(core::errc::invalid_argument, "field 'password' is required with auth_method password");
    if (server.postgres) {
        if (in.postgres_password) impl.vault.Seal(c, ServerPostgresPassword(server.id), *in.postgres_password);
        server.postgres->has_password = in.postgres_password.has_value() || had_pg_password;
    } else if (!creating) {
        impl.vault.Erase(c, ServerPostgresPassword(server.id));
    }
    server.updated_at = core::NowRfc3339();
}

}  // namespace

boost::asio::awaitable<ServerView> FleetService::CreateServer(ServerInput input, bool caller_is_admin) {
    ValidateServerInput(input);
    CheckMayPin(input, caller_is_admin);
    co_return co_await impl_->db.Write([&](store::Connection& c) {
        ServerView server;
        server.id = core::NewUuidV7();
        server.created_at = core::NowRfc3339();
        Apply(*impl_, c, server, input, true);
        try {
            sql::InsertServer(c, server);
        } catch (const core::Error& e) {
            if (e.code() == core::errc::already_exists) throw NameTaken("server", server.name);
            throw;
        }
        return server;
    });
}

boost::asio::awaitable<ServerUpdate> FleetService::UpdateServer(std::string id, ServerInput input,
                                                                bool caller_is_admin) {
    ValidateServerInput(input);
    CheckMayPin(input, caller_is_admin);
    auto update = co_await impl_->db.Write([&](store::Connection& c) {
        auto existing = sql::FindServer(c, id);
        if (!existing) throw NotFound("server");
        const ServerView before = *existing;
        Apply(*impl_, c, *existing, input, false);
        BindCredentials(*existing, before, input);
        try {
            sql::UpdateServer(c, *existing);
        } catch (const core::Error& e) {
            if (e.code() == core::errc::already_exists) throw NameTaken("server", existing->name);
            throw;
        }
        return ServerUpdate{*existing, ServerChanges(before, *existing, input)};
    });
    ForgetCached(*impl_, id);
    co_return update;
}

boost::asio::awaitable<void> FleetService::DeleteServer(std::string id) {
    co_await impl_->db.Write([&](store::Connection& c) {
        if (!sql::FindServer(c, id)) throw NotFound("server");
        if (const auto apps = sql::CountAppsOn(c, id); apps > 0)
            throw core::Error(core::errc::conflict, "the server is used by " + std::to_string(apps) +
                                                        " app(s); delete them or move them to another server first");
        impl_->vault.EraseAll(c, "server", id);
        sql::DeleteServer(c, id);
    });
    ForgetCached(*impl_, id);
}

}  // namespace gatehouse::fleet
