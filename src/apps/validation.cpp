#include <boost/url/parse.hpp>

#include "apps/app_service.hpp"
#include "core/errc.hpp"
#include "core/text.hpp"

namespace gatehouse::apps {
namespace {

constexpr int kMaxAutoStopMinutes = 525600;  // a year

core::Error Invalid(std::string_view field, std::string_view problem) {
    return core::Error(core::errc::invalid_argument, "field '" + std::string(field) + "' " + std::string(problem));
}

void ValidateName(std::string_view field, std::string_view name) {
    if (const auto problem = core::NameProblem(name, 128); !problem.empty()) throw Invalid(field, problem);
}

bool IsHttpUrl(std::string_view text) {
    const auto url = boost::urls::parse_uri(text);
    if (!url) return false;
    const auto scheme = url->scheme_id();
    if (scheme != boost::urls::scheme::http && scheme != boost::urls::scheme::https) return false;
    return url->has_authority() && !url->host().empty();
}

}  // namespace

void ValidateProjectInput(const ProjectInput& in) {
    ValidateName("name", in.name);
    if (in.description.size() > 4096) throw Invalid("description", "must be at most 4096 bytes");
}

void ValidateAutoStopMinutes(int minutes) {
    if (minutes < 0 || minutes > kMaxAutoStopMinutes)
        throw Invalid("auto_stop_minutes", "must be an integer from 0 to 525600");
}

void ValidateAppInput(const AppInput& in) {
    ValidateName("name", in.name);
    if (in.project_id.empty()) throw Invalid("project_id", "is required");
    if (in.server_id.empty()) throw Invalid("server_id", "is required");
    // Anything else (spaces, quotes, $(...)) is fine: the path reaches the remote shell as one quoted word.
    if (in.cd_path.empty() || in.cd_path.size() > 4096) throw Invalid("cd_path", "must be 1 to 4096 bytes");
    if (in.cd_path.front() != '/' && in.cd_path != "~" && in.cd_path.rfind("~/", 0) != 0)
        throw Invalid("cd_path", "must be an absolute path (/srv/app) or one in the remote user's home (~/app)");
    if (in.cd_path.find_first_of(std::string_view("\0\n\r", 3)) != std::string::npos)
        throw Invalid("cd_path", "must not contain NUL or line breaks");
    if (in.app_url.size() > 2048) throw Invalid("app_url", "must be at most 2048 bytes");
    if (!in.app_url.empty() && !IsHttpUrl(in.app_url))
        throw Invalid("app_url", "must be empty or an http:// or https:// URL");
    ValidateAutoStopMinutes(in.auto_stop_minutes);
}

}  // namespace gatehouse::apps
