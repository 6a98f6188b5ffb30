#pragma once

#include "http/types.hpp"
#include "tasks/task_service.hpp"

namespace gatehouse::api {

/// /api/v1/tasks and the key deployment routes of /api/v1/ssh-keys.
struct TaskHandlers {
    tasks::TaskService& tasks;

    boost::asio::awaitable<http::Response> Create(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> List(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> Get(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> Output(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> Cancel(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> DeployKey(http::RequestContext& context) const;
    boost::asio::awaitable<http::Response> RevokeKey(http::RequestContext& context) const;
};

/// Reads {targets, selector?: {tags}, timeout_s?, concurrency?} into `request`, refusing other
/// fields than `allowed`. Shared by every route that starts a task.
void ReadTargets(const boost::json::object& body, tasks::TaskRequest& request);
tasks::Creator CreatorOf(const http::RequestContext& context);

}  // namespace gatehouse::api
