#include "auth/principal.hpp"

namespace gatehouse::auth {

std::string_view RoleName(Role role) noexcept {
    switch (role) {
        case Role::viewer:
            return "viewer";
        case Role::operator_:
            return "operator";
        case Role::admin:
            return "admin";
    }
    return "viewer";
}

std::optional<Role> ParseRole(std::string_view name) noexcept {
    if (name == "viewer") return Role::viewer;
    if (name == "operator") return Role::operator_;
    if (name == "admin") return Role::admin;
    return std::nullopt;
}

}  // namespace gatehouse::auth
