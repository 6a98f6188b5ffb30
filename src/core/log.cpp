#include "core/log.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/json/serialize.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/time.hpp"

namespace gatehouse::core {
namespace {

// Lines are appended to a buffer and written to stderr in batches by a background thread every
// 100 ms: a request pays a memcpy, not a write() or a thread wake-up. Warnings and errors are
// written at once. Past kHighWater the writing thread catches up inline, so memory stays bounded
// and no line is ever dropped.
class BatchedStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
  public:
    static constexpr std::size_t kHighWater = 1 << 20;

    BatchedStderrSink() : flusher_([this] { FlushLoop(); }) {}
    ~BatchedStderrSink() override {
        {
            std::lock_guard lock(stop_mutex_);
            stopping_ = true;
        }
        stop_cv_.notify_one();
        flusher_.join();
        std::lock_guard lock(mutex_);
        WriteOut();
    }

  protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        buffer_.append(msg.payload.data(), msg.payload.size());
        buffer_.push_back('\n');
        if (buffer_.size() >= kHighWater || msg.level >= spdlog::level::warn) WriteOut();
    }
    void flush_() override { WriteOut(); }

  private:
    void WriteOut() {
        std::size_t written = 0;
        while (written < buffer_.size()) {
            const auto n = ::write(STDERR_FILENO, buffer_.data() + written, buffer_.size() - written);
            if (n <= 0) break;  // stderr closed: nothing sensible to do with the lines
            written += static_cast<std::size_t>(n);
        }
        buffer_.clear();
    }

    void FlushLoop() {
        std::unique_lock lock(stop_mutex_);
        while (!stopping_) {
            stop_cv_.wait_for(lock, std::chrono::milliseconds(100));
            std::lock_guard sink_lock(mutex_);
            WriteOut();
        }
    }

    std::string buffer_;
    std::mutex stop_mutex_;
    std::condition_variable stop_cv_;
    bool stopping_ = false;
    std::thread flusher_;
};

}  // namespace

void InitLogging(std::string_view level) {
    if (spdlog::get("gatehouse")) return;
    auto logger = std::make_shared<spdlog::logger>("gatehouse", std::make_shared<BatchedStderrSink>());
    logger->set_pattern("%v");
    logger->set_level(spdlog::level::from_str(std::string(level)));
    spdlog::set_default_logger(logger);
}

void ShutdownLogging() {
    spdlog::default_logger_raw()->flush();
    spdlog::shutdown();
}

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

void LogLine(spdlog::level::level_enum level, std::string_view json_line) {
    auto logger = spdlog::default_logger_raw();
    if (logger->should_log(level)) logger->log(level, json_line);
}

bool ShouldLog(spdlog::level::level_enum level) { return spdlog::default_logger_raw()->should_log(level); }

void AppendJsonString(std::string& out, std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    for (unsigned char ch : text) {
        switch (ch) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (ch < 0x20 || ch >= 0x7F) {
                    // Non-ASCII bytes are escaped one by one: the log stays valid JSON whatever a client sent.
                    out += "\\u00";
                    out.push_back(kHex[ch >> 4]);
                    out.push_back(kHex[ch & 15]);
                } else {
                    out.push_back(static_cast<char>(ch));
                }
        }
    }
    out.push_back('"');
}

}  // namespace gatehouse::core
