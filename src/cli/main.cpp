#include <CLI/CLI.hpp>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "agent/agent_options.hpp"
#include "app/app.hpp"
#include "config/options.hpp"
#include "core/build_info.hpp"
#include "core/log.hpp"

namespace {

using gatehouse::config::AllOptions;
using gatehouse::config::FlagName;

struct ConfigFlags {
    std::string config_file;
    std::map<std::string, std::string> values;  // option key -> flag value
};

// What a flag's value is, for --help: HOST:PORT, PATH, SECONDS, ...
std::string TypeName(std::string_view key, const std::string& shown) {
    auto ends = [&](std::string_view suffix) {
        return key.size() >= suffix.size() && key.substr(key.size() - suffix.size()) == suffix;
    };
    if (key == "listen") return "HOST:PORT";
    if (ends("_dir") || ends("_file")) return "PATH";
    if (ends(".url")) return "URL";
    if (ends("_s")) return "SECONDS";
    if (ends("_ms")) return "MILLISECONDS";
    if (ends("_kib")) return "KIB";
    if (ends("_bytes")) return "BYTES";
    if (ends("_days")) return "DAYS";
    if (ends("_origins") || ends("_proxies")) return "LIST";
    if (shown == "true" || shown == "false") return "BOOL";
    if (!shown.empty() && shown.find_first_not_of("0123456789") == std::string::npos) return "INT";
    return "TEXT";
}

// The options of the table that `command` uses become its flags; each one's help names its TOML key and variable.
void AddConfigFlags(
    CLI::App& command, ConfigFlags& flags,
    const std::function<bool(std::string_view)>& uses = [](std::string_view) { return true; }) {
    command.add_option("--config", flags.config_file, "TOML configuration file (env GATEHOUSE_CONFIG)")
        ->type_name("PATH");
    const gatehouse::config::Config defaults;
    for (const auto& option : AllOptions()) {
        if (!uses(option.key)) continue;
        const std::string key(option.key);
        auto* cli_option = command.add_option_function<std::string>(
            "--" + FlagName(option.key), [&flags, key](const std::string& value) { flags.values[key] = value; },
            std::string(option.description) + " [toml: " + key + ", env: " + gatehouse::config::EnvName(option.key) +
                "]");
        const std::string shown = option.get(defaults);
        cli_option->type_name(TypeName(option.key, shown));
        if (!shown.empty()) cli_option->default_str(shown);
    }
}

// What the offline commands (user, vault, migrate) read: where the data is, and for `user` how passwords hash.
bool StorageOption(std::string_view key) { return key == "data_dir" || key.rfind("database.", 0) == 0; }
bool UserOption(std::string_view key) { return StorageOption(key) || key.rfind("auth.argon2_", 0) == 0; }

gatehouse::config::Config LoadConfig(const ConfigFlags& flags) {
    gatehouse::config::Sources sources;
    if (!flags.config_file.empty()) {
        sources.config_file = flags.config_file;
    } else if (const char* env = std::getenv("GATEHOUSE_CONFIG")) {
        sources.config_file = std::string(env);
    }
    sources.flags = flags.values;
    return gatehouse::config::Load(sources);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"gatehouse: control plane for a fleet of Linux and PostgreSQL servers"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("gatehouse ") + gatehouse::core::kVersion);
    ConfigFlags serve_flags, migrate_flags;
    auto* serve = app.add_subcommand("serve", "Run the HTTP server");
    AddConfigFlags(*serve, serve_flags);
    auto* migrate = app.add_subcommand("migrate", "Apply pending database migrations and exit");
    AddConfigFlags(*migrate, migrate_flags, StorageOption);
    app.add_subcommand("version", "Print the version");
    ConfigFlags user_flags;
    gatehouse::app::UserCommandArgs user_args;
    auto* user = app.add_subcommand("user", "Manage users on the configured database (no server needed)");
    user->require_subcommand(1);
    AddConfigFlags(*user, user_flags, UserOption);
    auto* user_add = user->add_subcommand("add", "Create a user; password from GATEHOUSE_USER_PASSWORD or stdin");
    user_add->add_option("username", user_args.username, "user name")->required();
    user_add->add_option("--role", user_args.role, "admin, operator or viewer")->default_str("viewer");
    user_add->fallthrough();  // config flags may follow the action: `user add bob --data-dir D`
    for (const char* name : {"passwd", "disable", "enable"}) {
        auto* command = user->add_subcommand(name, std::string(name) == "passwd"
                                                       ? "Set a password (GATEHOUSE_USER_PASSWORD or stdin)"
                                                       : std::string(name) + " a user");
        command->add_option("username", user_args.username, "user name")->required();
        command->fallthrough();
    }
    auto* user_role = user->add_subcommand("role", "Change a user's role (admin, operator or viewer)");
    user_role->add_option("username", user_args.username, "user name")->required();
    user_role->add_option("role", user_args.role, "admin, operator or viewer")->required();
    user_role->fallthrough();
    auto* user_delete = user->add_subcommand("delete", "Delete a user; its sessions and API tokens end");
    user_delete->add_option("username", user_args.username, "user name")->required();
    user_delete->fallthrough();
    user->add_subcommand("list", "List users")->fallthrough();
    ConfigFlags vault_flags;
    auto* vault = app.add_subcommand("vault", "Manage the secrets vault on the configured database (server stopped)");
    vault->require_subcommand(1);
    AddConfigFlags(*vault, vault_flags, StorageOption);
    vault->add_subcommand("rotate", "Re-encrypt every secret under a new vault key (not with GATEHOUSE_VAULT_KEY)")
        ->fallthrough();  // config flags may follow the action: `vault rotate --data-dir D`
    ConfigFlags ca_flags;
    auto* ca = app.add_subcommand("ca", "The collectors' certificate authority on the configured database");
    ca->require_subcommand(1);
    AddConfigFlags(*ca, ca_flags, StorageOption);
    ca->add_subcommand("show", "Print the trusted CA certificates (PEM; the signing one first)")->fallthrough();
    ca->add_subcommand("rotate", "Create a new signing CA; the old one stays trusted until every collector renewed")
        ->fallthrough();
    gatehouse::agent::AgentOptions agent_options;
    std::string agent_log_level = "info";
    auto* agent = app.add_subcommand("agent", "Run a collector agent: enrol once, then push PostgreSQL metrics");
    agent->add_option("--server", agent_options.server, "The collectors' mTLS listener, https://HOST:8443");
    agent->add_option("--api-url", agent_options.api_url, "The API to enrol with, http(s)://HOST:8080");
    agent->add_option("--enrol-token", agent_options.enrol_token, "One-time enrolment token (first run only)");
    agent->add_option("--postgres", agent_options.postgres, "postgresql:// URL to monitor (repeatable)");
    agent->add_option("--state-dir", agent_options.state_dir, "Key, certificate, state and spool (0700)")
        ->default_str(agent_options.state_dir);
    agent->add_option("--name", agent_options.name, "Collector name (default: the host name)");
    agent->add_option("--hostname", agent_options.hostname, "Host name reported (default: the host name)");
    agent->add_option("--api-ca-file", agent_options.api_ca_file, "CA bundle for an https --api-url");
    agent
        ->add_option("--buffer-max-samples", agent_options.buffer_max_samples,
                     "Samples kept on disk while the server is unreachable (oldest dropped beyond)")
        ->default_str(std::to_string(agent_options.buffer_max_samples));
    agent->add_option("--config-poll-s", agent_options.config_poll_s, "Seconds between config checks")
        ->default_str(std::to_string(agent_options.config_poll_s));
    agent->add_option("--config", agent_options.config_file, "TOML file with the same keys (server, api_url, ...)");
    agent->add_option("--log-level", agent_log_level, "trace, debug, info, warn, error")->default_str("info");
    CLI11_PARSE(app, argc, argv);
    if (app.got_subcommand("agent")) {
        try {
            gatehouse::core::InitLogging(agent_log_level);
            if (!agent_options.config_file.empty()) {
                std::vector<std::string> given;
                for (const auto* option : agent->get_options())
                    if (option->count() > 0) {
                        std::string key = option->get_name(false, true);
                        while (!key.empty() && key.front() == '-') key.erase(0, 1);
                        for (char& ch : key)
                            if (ch == '-') ch = '_';
                        given.push_back(key);
                    }
                gatehouse::agent::LoadAgentToml(agent_options.config_file, agent_options, given);
            }
            return gatehouse::agent::RunAgent(std::move(agent_options));
        } catch (const std::exception& e) {
            std::fprintf(stderr, "gatehouse agent: %s\n", e.what());
            return 1;
        }
    }

    try {
        if (app.got_subcommand("version")) {
            std::printf("gatehouse %s\n", gatehouse::core::kVersion);
            return 0;
        }
        const bool serving = app.got_subcommand("serve");
        const bool user_command = app.got_subcommand("user");
        const bool vault_command = app.got_subcommand("vault");
        const bool ca_command = app.got_subcommand("ca");
        const auto config = LoadConfig(serving         ? serve_flags
                                       : user_command  ? user_flags
                                       : vault_command ? vault_flags
                                       : ca_command    ? ca_flags
                                                       : migrate_flags);
        gatehouse::core::InitLogging(user_command || vault_command || ca_command ? "warn" : config.log.level);
        int code = 0;
        if (ca_command) {
            code = gatehouse::app::CaCommand(config, ca->get_subcommands().front()->get_name());
        } else if (vault_command) {
            code = gatehouse::app::VaultRotate(config);  // `rotate` is the only vault action
        } else if (user_command) {
            user_args.action = user->get_subcommands().front()->get_name();
            code = gatehouse::app::UserCommand(config, user_args);
        } else {
            code = serving ? gatehouse::app::Serve(config) : gatehouse::app::Migrate(config);
        }
        gatehouse::core::ShutdownLogging();
        return code;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "gatehouse: %s\n", e.what());
        gatehouse::core::ShutdownLogging();
        return 1;
    }
}
