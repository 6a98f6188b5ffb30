#include <toml++/toml.h>

#include <cstdlib>
#include <stdexcept>

#include "config/config.hpp"
#include "config/options.hpp"

namespace gatehouse::config {
namespace {

const Option* FindOption(std::string_view key) {
    for (const auto& option : AllOptions())
        if (option.key == key) return &option;
    return nullptr;
}

void Apply(Config& config, const Option& option, std::string_view value, const std::string& source) {
    try {
        option.set(config, value);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument("invalid value for " + std::string(option.key) + " (" + source + "): " + e.what());
    }
}

std::string ScalarText(const toml::node& node, const std::string& key) {
    if (auto s = node.value<std::string>(); s && node.is_string()) return *s;
    if (node.is_integer()) return std::to_string(*node.value<std::int64_t>());
    if (node.is_boolean()) return *node.value<bool>() ? "true" : "false";
    throw std::invalid_argument("config key " + key + " must be a string, integer or boolean");
}

void ApplyTable(Config& config, const toml::table& table, const std::string& prefix, const std::string& file) {
    for (const auto& [name, node] : table) {
        const std::string key = prefix.empty() ? std::string(name.str()) : prefix + "." + std::string(name.str());
        if (const auto* sub = node.as_table()) {
            ApplyTable(config, *sub, key, file);
            continue;
        }
        const Option* option = FindOption(key);
        if (!option) throw std::invalid_argument("unknown config key '" + key + "' in " + file);
        Apply(config, *option, ScalarText(node, key), file);
    }
}

}  // namespace

Config Load(const Sources& sources) {
    Config config;
    if (sources.config_file) {
        toml::table table;
        try {
            table = toml::parse_file(*sources.config_file);
        } catch (const toml::parse_error& e) {
            throw std::invalid_argument("cannot read config file " + *sources.config_file + ": " +
                                        std::string(e.description()));
        }
        ApplyTable(config, table, "", *sources.config_file);
    }
    for (const auto& option : AllOptions()) {
        const std::string name = EnvName(option.key);
        std::optional<std::string> value;
        if (sources.getenv) {
            value = sources.getenv(name);
        } else if (const char* raw = std::getenv(name.c_str())) {
            value = raw;
        }
        if (value) Apply(config, option, *value, name);
    }
    for (const auto& [key, value] : sources.flags) {
        const Option* option = FindOption(key);
        if (!option) throw std::invalid_argument("unknown option --" + FlagName(key));
        Apply(config, *option, value, "--" + FlagName(key));
    }
    return config;
}

}  // namespace gatehouse::config
