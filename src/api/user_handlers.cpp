#include "api/user_handlers.hpp"

#include <boost/json/array.hpp>

#include "api/auth_handlers.hpp"
#include "api/gatekeeper.hpp"
#include "api/json_fields.hpp"
#include "audit/changes.hpp"
#include "core/errc.hpp"
#include "http/json_body.hpp"
#include "http/problem.hpp"

namespace gatehouse::api {

using http::Response;
using http::Status;

namespace {

auth::Role RequireRole(const std::string& name) {
    auto role = auth::ParseRole(name);
    if (!role) throw core::Error(core::errc::invalid_argument, "field 'role' must be admin, operator or viewer");
    return *role;
}

boost::json::value Cursor(const std::optional<std::string>& cursor) {
    return cursor ? boost::json::value(*cursor) : boost::json::value(nullptr);
}

boost::json::object TokenJson(const auth::ApiTokenView& t) {
    boost::json::object json{{"id", t.id},
                             {"name", t.name},
                             {"role", auth::RoleName(t.role)},
                             {"effective_role", t.effective_role ? boost::json::value(auth::RoleName(*t.effective_role))
                                                                 : boost::json::value(nullptr)},
                             {"prefix", t.prefix},
                             {"user_id", t.user_id},
                             {"created_at", t.created_at},
                             {"expires_at", t.expires_at ? boost::json::value(*t.expires_at) : nullptr},
                             {"last_used_at", t.last_used_at ? boost::json::value(*t.last_used_at) : nullptr}};
    if (!t.token.empty()) json["token"] = t.token;
    return json;
}

}  // namespace

boost::asio::awaitable<Response> UserHandlers::List(http::RequestContext& context) const {
    std::optional<auth::Role> role;
    if (const auto name = FilterParam(context, "role")) role = auth::ParseRole(*name);
    std::optional<bool> disabled;
    if (const auto flag = FilterParam(context, "disabled")) disabled = *flag == "true";
    auto page = co_await identity.ListUsers(PageLimit(context), context.Query("cursor").value_or(""), role, disabled);
    boost::json::array items;
    for (const auto& user : page.items) items.push_back(UserJson(user));
    co_return http::Json(Status::ok, {{"items", std::move(items)}, {"next_cursor", Cursor(page.next_cursor)}});
}

boost::asio::awaitable<Response> UserHandlers::Create(http::RequestContext& context) const {
    context.audit.action = "user.create";
    const auto& body = http::ParseJsonBody(context);
    const auto& fields = RequireObject(body);
    OnlyFields(fields, {"username", "password", "role"});
    auto username = RequireString(fields, "username", 256);
    auto password = RequireString(fields, "password", 4096);
    const auto role = RequireRole(RequireString(fields, "role", 32));
    context.audit.details = {{"username", username.substr(0, 64)}, {"role", auth::RoleName(role)}};
    auto user = co_await identity.CreateUser(std::move(username), std::move(password), role);
    context.audit.resource_type = "user";
    context.audit.resource_id = user.id;
    co_return http::Created(UserJson(user), "/api/v1/users/" + user.id);
}

boost::asio::awaitable<Response> UserHandlers::Me(http::RequestContext& context) const {
    auto user = UserJson(co_await identity.GetUser(Caller(context).user_id));
    user["role"] = auth::RoleName(Caller(context).role);
    co_return http::Json(Status::ok, user);
}

boost::asio::awaitable<Response> UserHandlers::ChangeMyPassword(http::RequestContext& context) const {
    context.audit.action = "user.password_change";
    context.audit.resource_type = "user";
    context.audit.resource_id = Caller(context).user_id;
    const auto& body = http::ParseJsonBody(context);
    const auto& fields = RequireObject(body);
    OnlyFields(fields, {"current_password", "password", "revoke_api_tokens"});
    auto current = RequireString(fields, "current_password", 4096);
    auto replacement = RequireString(fields, "password", 4096);
    const bool revoke_api_tokens = OptionalBool(fields, "revoke_api_tokens").value_or(false);
    context.audit.details = {{"revoke_api_tokens", revoke_api_tokens}};
    co_await identity.ChangeOwnPassword(Caller(context), std::move(current), std::move(replacement), Client(context),
                                        revoke_api_tokens);
    co_return NoContent();
}

boost::asio::awaitable<Response> UserHandlers::Get(http::RequestContext& context) const {
    co_return http::Json(Status::ok, UserJson(co_await identity.GetUser(std::string(context.Param("id")))));
}

boost::asio::awaitable<Response> UserHandlers::Patch(http::RequestContext& context) const {
    context.audit.action = "user.update";
    const auto& body = http::ParseJsonBody(context);
    const auto& fields = RequireObject(body);
    OnlyFields(fields, {"role", "disabled", "password"});
    auth::UserPatch patch;
    if (auto role = OptionalString(fields, "role", 32)) patch.role = RequireRole(*role);
    patch.disabled = OptionalBool(fields, "disabled");
    patch.password = OptionalString(fields, "password", 4096);
    if (!patch.role && !patch.disabled && !patch.password)
        throw core::Error(core::errc::invalid_argument, "nothing to change: give role, disabled or password");
    if (patch.role) context.audit.details["role"] = auth::RoleName(*patch.role);
    if (patch.disabled) context.audit.details["disabled"] = *patch.disabled;
    if (patch.password) context.audit.details["password_changed"] = true;
    const std::string id(context.Param("id"));
    const bool password = patch.password.has_value();
    const auto before = UserJson(co_await identity.GetUser(id));
    const auto after = UserJson(co_await identity.UpdateUser(id, std::move(patch)));
    auto changes = audit::Changes::Between(before, after);
    changes.Secret("password", password);
    context.audit.details["changes"] = changes.fields();
    co_return http::Json(Status::ok, after);
}

boost::asio::awaitable<Response> UserHandlers::Delete(http::RequestContext& context) const {
    context.audit.action = "user.delete";
    co_await identity.DeleteUser(std::string(context.Param("id")));
    co_return NoContent();
}

boost::asio::awaitable<Response> UserHandlers::CreateToken(http::RequestContext& context) const {
    context.audit.action = "api_token.create";
    const auto& body = http::ParseJsonBody(context);
    const auto& fields = RequireObject(body);
    OnlyFields(fields, {"name", "role", "expires_at"});
    auto name = RequireString(fields, "name", 100);
    const auto role_name = OptionalString(fields, "role", 32);
    std::optional<auth::Role> role;
    if (role_name) role = RequireRole(*role_name);
    std::optional<core::Clock::time_point> expires;
    if (auto text = OptionalString(fields, "expires_at", 64)) {
        expires = core::ParseRfc3339(*text);
        if (!expires) throw core::Error(core::errc::invalid_argument, "field 'expires_at' must be an RFC 3339 time");
    }
    auto token = co_await identity.CreateApiToken(Caller(context), std::move(name), role, expires);
    context.audit.details = {{"name", token.name}, {"role", auth::RoleName(token.role)}};
    if (token.expires_at) context.audit.details["expires_at"] = *token.expires_at;
    context.audit.resource_type = "api_token";
    context.audit.resource_id = token.id;
    co_return http::Created(TokenJson(token), "/api/v1/api-tokens/" + token.id);
}

boost::asio::awaitable<Response> UserHandlers::ListTokens(http::RequestContext& context) const {
    const bool all = context.Query("all").value_or("") == "true";
    auto page =
        co_await identity.ListApiTokens(Caller(context), all, PageLimit(context), context.Query("cursor").value_or(""));
    boost::json::array items;
    for (const auto& token : page.items) items.push_back(TokenJson(token));
    co_return http::Json(Status::ok, {{"items", std::move(items)}, {"next_cursor", Cursor(page.next_cursor)}});
}

boost::asio::awaitable<Response> UserHandlers::DeleteToken(http::RequestContext& context) const {
    context.audit.action = "api_token.revoke";
    context.audit.resource_type = "api_token";
    co_await identity.RevokeApiToken(Caller(context), std::string(context.Param("id")));
    co_return NoContent();
}

}  // namespace gatehouse::api
