#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace gatehouse::config {

/// One configuration option. Every source (TOML key, GATEHOUSE_* variable, --flag) is derived from
/// `key`, so the three can never drift apart.
struct Option {
    std::string_view key;  // TOML path: "http.read_timeout_s"
    std::string_view description;
    std::function<void(Config&, std::string_view)> set;  // throws std::invalid_argument on a bad value
    std::function<std::string(const Config&)> get;
};

std::span<const Option> AllOptions();

/// "GATEHOUSE_HTTP_READ_TIMEOUT_S"
std::string EnvName(std::string_view key);
/// "http-read-timeout-s" (without the leading dashes)
std::string FlagName(std::string_view key);

}  // namespace gatehouse::config
