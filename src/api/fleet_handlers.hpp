#pragma once

#include "fleet/fleet_service.hpp"
#include "http/types.hpp"
#include "pgmon/monitor_service.hpp"

namespace gatehouse::api {

/// /api/v1/servers and /api/v1/ssh-keys.
struct FleetHandlers {
    fleet::FleetService& fleet;
    pgmon::MonitorService& monitor;  // told when a server changes or goes

    boost::asio::awaitable<http::Response> ListServers(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> CreateServer(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> GetServer(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> ReplaceServer(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> PatchServer(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> DeleteServer(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> TestSsh(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> Status(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> Disk(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> AcceptHostKey(http::RequestContext& context) const;

    boost::asio::awaitable<http::Response> ListKeys(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> GenerateKey(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> ImportKey(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> GetKey(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> PatchKey(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> DeleteKey(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> PublicKey(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> KeyServers(http::RequestContext& context) const;

  private:
    boost::asio::awaitable<http::Response> Update(http::RequestContext& context, const std::string& id,
                                                  fleet::ServerInput input) const;
};

}  // namespace gatehouse::api
