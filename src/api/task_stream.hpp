#pragma once

#include "http/types.hpp"
#include "tasks/task_service.hpp"

namespace gatehouse::api {

/// WebSocket /api/v1/tasks/{id}/stream: the task as it is, the output already stored (from
/// `?since_seq=`), then live output and target states as they happen, a final summary, and a
/// close (1000). A watcher that falls behind is closed with 1008 and the seq to resume from.
struct TaskStreamHandler {
    tasks::TaskService& tasks;

    boost::asio::awaitable<http::Response> Stream(http::RequestContext& context) const;
};

}  // namespace gatehouse::api
