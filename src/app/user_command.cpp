#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <thread>

#include "app/app.hpp"
#include "app/data_dir.hpp"
#include "app/database.hpp"
#include "app/identity.hpp"
#include "store/migrations.hpp"

namespace gatehouse::app {
namespace {

// Passwords come from GATEHOUSE_USER_PASSWORD or the first line of stdin, never from argv where
// every user of the machine could read them in `ps`.
std::string ReadPassword() {
    if (const char* env = std::getenv("GATEHOUSE_USER_PASSWORD"); env != nullptr && *env != '\0') return env;
    std::string line;
    std::getline(std::cin, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty())
        throw std::invalid_argument("no password given (GATEHOUSE_USER_PASSWORD or the first line of stdin)");
    return line;
}

}  // namespace

int UserCommand(const config::Config& config, const UserCommandArgs& args) {
    ::umask(0077);
    RequireServedDataDir(config);
    auto database = OpenDatabase(config);
    store::Migrate(*database);
    core::WorkerPool workers("workers", 1, 16);
    audit::AuditLog audit(*database);
    auto identity = BuildIdentity(config, *database, workers, audit, "cli", JwtKey::read_if_present);
    auto& service = *identity.service;

    auto record = [&](const std::string& action, const std::string& username) {
        audit::Event event;
        event.actor_kind = "system";
        event.actor_name = "cli";
        event.action = action;
        event.resource_type = "user";
        event.resource_id = username;
        audit.Record(std::move(event));
    };

    if (args.action == "add") {
        const auto role = auth::ParseRole(args.role);
        if (!role) throw std::invalid_argument("role must be admin, operator or viewer");
        const auto user = service.CreateUserBlocking(args.username, ReadPassword(), *role);
        record("user.create", args.username);
        std::printf("created user %s (%s) with id %s\n", user.username.c_str(), args.role.c_str(), user.id.c_str());
    } else if (args.action == "passwd") {
        service.SetPasswordBlocking(args.username, ReadPassword());
        record("user.password_change", args.username);
        std::printf("password of %s changed; its sessions and tokens are revoked\n", args.username.c_str());
    } else if (args.action == "disable" || args.action == "enable") {
        service.SetDisabledBlocking(args.username, args.action == "disable");
        record("user." + args.action, args.username);
        std::printf("user %s %sd\n", args.username.c_str(), args.action.c_str());
    } else if (args.action == "role") {
        const auto role = auth::ParseRole(args.role);
        if (!role) throw std::invalid_argument("role must be admin, operator or viewer");
        service.SetRoleBlocking(args.username, *role);
        record("user.update", args.username);
        std::printf("user %s is now %s\n", args.username.c_str(), args.role.c_str());
    } else if (args.action == "delete") {
        service.DeleteUserBlocking(args.username);
        record("user.delete", args.username);
        std::printf("user %s deleted; its sessions and tokens are revoked\n", args.username.c_str());
    } else if (args.action == "list") {
        std::printf("%-36s  %-24s  %-8s  %s\n", "ID", "USERNAME", "ROLE", "DISABLED");
        for (const auto& user : service.ListUsersBlocking())
            std::printf("%-36s  %-24s  %-8s  %s\n", user.id.c_str(), user.username.c_str(),
                        std::string(auth::RoleName(user.role)).c_str(), user.disabled ? "yes" : "no");
    }
    audit.Flush();
    // A running server follows changes made by other processes within half a second (PostgreSQL instances at
    // once): when this command returns, the change is in effect there too.
    if (args.action != "list") std::this_thread::sleep_for(std::chrono::seconds(1));
    return 0;
}

}  // namespace gatehouse::app
