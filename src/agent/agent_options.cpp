#include "agent/agent_options.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <stdexcept>

namespace gatehouse::agent {

void LoadAgentToml(const std::string& file, AgentOptions& o, const std::vector<std::string>& given) {
    toml::table table;
    try {
        table = toml::parse_file(file);
    } catch (const toml::parse_error& e) {
        throw std::runtime_error("cannot read agent config " + file + ": " + std::string(e.description()));
    }
    const auto flag = [&given](const char* key) { return std::find(given.begin(), given.end(), key) != given.end(); };
    for (const auto& [key, node] : table) {
        const std::string k(key.str());
        const auto text = [&]() {
            if (!node.is_string()) throw std::runtime_error("agent config key '" + k + "' must be a string");
            return std::string(*node.value<std::string>());
        };
        const auto number = [&]() {
            if (!node.is_integer() || *node.value<std::int64_t>() < 1)
                throw std::runtime_error("agent config key '" + k + "' must be a positive integer");
            return *node.value<std::int64_t>();
        };
        if (flag(k.c_str())) continue;
        if (k == "server")
            o.server = text();
        else if (k == "api_url")
            o.api_url = text();
        else if (k == "enrol_token")
            o.enrol_token = text();
        else if (k == "state_dir")
            o.state_dir = text();
        else if (k == "name")
            o.name = text();
        else if (k == "hostname")
            o.hostname = text();
        else if (k == "api_ca_file")
            o.api_ca_file = text();
        else if (k == "buffer_max_samples")
            o.buffer_max_samples = static_cast<std::size_t>(number());
        else if (k == "batch_max_samples")
            o.batch_max_samples = static_cast<std::size_t>(number());
        else if (k == "config_poll_s")
            o.config_poll_s = static_cast<int>(number());
        else if (k == "postgres") {
            if (const auto* urls = node.as_array()) {
                for (const auto& url : *urls) {
                    if (!url.is_string()) throw std::runtime_error("agent config key 'postgres' must hold strings");
                    o.postgres.push_back(*url.value<std::string>());
                }
            } else {
                o.postgres.push_back(text());
            }
        } else {
            throw std::runtime_error("unknown agent config key '" + k + "' in " + file);
        }
    }
}

}  // namespace gatehouse::agent
