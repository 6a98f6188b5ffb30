#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gatehouse::auth {

/// Ordered: a higher role may do everything a lower one may.
enum class Role { viewer = 1, operator_ = 2, admin = 3 };

/// Every role's name, lowest first.
inline constexpr std::string_view kRoleNames[] = {"viewer", "operator", "admin"};

std::string_view RoleName(Role role) noexcept;
std::optional<Role> ParseRole(std::string_view name) noexcept;

/// Who is calling: a user through an access token, or an API token acting for its user.
struct Principal {
    enum class Kind { user, api_token } kind = Kind::user;
    std::string user_id;
    std::string username;
    Role role = Role::viewer;  // effective role (an API token's role is capped by its user's)
    std::string token_id;      // API token id (kind == api_token)
    std::string token_name;
    std::string token_hash;                           // API token's hash (kind == api_token)
    std::optional<std::int64_t> token_expires_epoch;  // API token's expiry, if it has one
    std::string jti;                                  // access token id (kind == user)
    std::string family_id;                            // refresh family the access token came from
    std::int64_t generation = 0;                      // the user's token generation the access token was issued under
    std::int64_t expires_epoch = 0;                   // access token expiry (kind == user)
};

}  // namespace gatehouse::auth
