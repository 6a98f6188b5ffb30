#include "core/log.hpp"

#include <boost/json/serialize.hpp>
#include <spdlog/async.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "core/time.hpp"

namespace gatehouse::core {

void InitLogging(std::string_view level) {
    if (spdlog::get("gatehouse")) return;
    spdlog::init_thread_pool(4096, 1);  // preallocated: each slot costs RSS
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    // Blocking on overflow: a log line is never dropped, and a full queue means a stuck sink.
    auto logger = std::make_shared<spdlog::async_logger>("gatehouse", sink, spdlog::thread_pool(),
                                                         spdlog::async_overflow_policy::block);
    logger->set_pattern("%v");
    logger->set_level(spdlog::level::from_str(std::string(level)));
    logger->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(logger);
    spdlog::flush_every(std::chrono::seconds(1));
}

void ShutdownLogging() { spdlog::shutdown(); }

void Log(spdlog::level::level_enum level, std::string_view event, boost::json::object fields) {
    auto logger = spdlog::default_logger_raw();
    if (!logger->should_log(level)) return;
    boost::json::object line;
    line.reserve(fields.size() + 3);
    line["ts"] = FormatRfc3339(Clock::now());
    {
        const auto name = spdlog::level::to_string_view(level);
        line["level"] = std::string_view(name.data(), name.size());
    }
    line["event"] = event;
    for (auto& [key, value] : fields) line[key] = std::move(value);
    logger->log(level, boost::json::serialize(line));
}

}  // namespace gatehouse::core
