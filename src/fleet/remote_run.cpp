#include <algorithm>
#include <unordered_set>

#include "core/errc.hpp"
#include "fleet/fleet_impl.hpp"

namespace gatehouse::fleet {
namespace {

bool HasAllTags(const ServerView& server, const std::vector<std::string>& tags) {
    return std::all_of(tags.begin(), tags.end(), [&](const std::string& tag) {
        return std::find(server.tags.begin(), server.tags.end(), tag) != server.tags.end();
    });
}

}  // namespace

boost::asio::awaitable<std::vector<ServerView>> FleetService::SelectServers(std::vector<std::string> ids,
                                                                            std::vector<std::string> tags,
                                                                            bool use_tags) {
    co_return co_await impl_->db.Read([&](store::Connection& c) {
        std::vector<ServerView> selected;
        std::unordered_set<std::string> seen;
        for (const auto& id : ids) {
            auto server = sql::FindServerByIdOrName(c, id);
            // The request names it, so it is bad input (400), like an unknown server_id of an app.
            if (!server)
                throw core::Error(core::errc::invalid_argument, "field 'targets': no such server: " + id.substr(0, 64));
            if (seen.insert(server->id).second) selected.push_back(std::move(*server));
        }
        if (use_tags) {
            auto all = sql::ListServers(c, "", 1000000);
            std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
            for (auto& server : all)
                if (HasAllTags(server, tags) && seen.insert(server.id).second) selected.push_back(std::move(server));
        }
        return selected;
    });
}

boost::asio::awaitable<ssh::ExecResult> FleetService::Run(std::string server_id, std::string command,
                                                          ssh::ExecOptions options) {
    auto& impl = *impl_;
    auto loaded = co_await Load(impl, server_id);
    std::string seen;
    ssh::ExecResult result;
    std::exception_ptr failure;
    std::optional<ssh::FailureKind> failed_kind;
    try {
        result = co_await impl.ssh.Exec(loaded.second, std::move(command), std::move(options));
        if (!loaded.first.host_key_fingerprint) {
            const auto info = co_await impl.ssh.Connect(loaded.second);  // an idle session: no handshake
            seen = info.host_key_fingerprint;
        }
    } catch (const ssh::SshError& e) {
        failure = std::current_exception();
        failed_kind = e.kind();
        seen = e.seen_host_key();
    }
    if (failure) {
        // Recorded before rethrowing so the fleet view shows why the work failed.
        const bool mismatch = *failed_kind == ssh::FailureKind::host_key_mismatch;
        co_await Record(impl, loaded.first, StatusFor(*failed_kind), seen, mismatch);
        std::rethrow_exception(failure);
    }
    if (!seen.empty()) co_await Record(impl, loaded.first, "online", seen, false);
    co_return result;
}

}  // namespace gatehouse::fleet
