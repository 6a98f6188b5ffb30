#pragma once

#include <boost/json/object.hpp>

#include "tasks/task_types.hpp"

namespace gatehouse::api {

/// The task object of the API: {id, kind, state, ..., progress: {done, total}, targets: [...]}.
boost::json::object TaskJson(const tasks::TaskView& task);
boost::json::object TargetJson(const tasks::TargetView& target);
/// An output item: {target, stream, seq, time, data, encoding}. Valid UTF-8 travels as is
/// (encoding "utf8"); anything else as standard base64 (encoding "base64"), so the bytes a target
/// printed come back exactly.
boost::json::object ChunkJson(const tasks::Chunk& chunk);

}  // namespace gatehouse::api
