#include "core/log.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/json_text.hpp"
#include "core/time.hpp"

namespace gatehouse::core {
namespace {

std::atomic<std::uint64_t> g_dropped_lines{0};

// Lines are appended to a buffer and written to stderr by a background thread, every 100 ms or at once for
// warnings and errors: a request pays a memcpy, never a write() or a wait for the terminal. When stderr cannot
// take lines as fast as they come (a slow pipe, a full disk) the buffer stops at kMaxBuffered: further lines are
// dropped and counted (DroppedLogLines, and a log.dropped line once writing catches up), so no thread that logs
// ever blocks on stderr.
class BatchedStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
  public:
    static constexpr std::size_t kMaxBuffered = 4 << 20;

    BatchedStderrSink() : flusher_([this] { FlushLoop(); }) {}
    ~BatchedStderrSink() override {
        {
            std::lock_guard lock(wake_mutex_);
            stopping_ = true;
        }
        wake_.notify_one();
        flusher_.join();
        WriteOut();
    }

  protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        if (buffer_.size() + msg.payload.size() + 1 > kMaxBuffered) {
            ++dropped_;
            g_dropped_lines.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        buffer_.append(msg.payload.data(), msg.payload.size());
        buffer_.push_back('\n');
        if (msg.level >= spdlog::level::warn) {
            urgent_.store(true, std::memory_order_relaxed);
            wake_.notify_one();
        }
    }
    void flush_() override { urgent_.store(true, std::memory_order_relaxed); }

  private:
    // On the flusher's thread (or at the end): takes the buffer under the sink's lock, writes it without.
    void WriteOut() {
        std::string out;
        std::uint64_t dropped = 0;
        {
            std::lock_guard lock(mutex_);
            out.swap(buffer_);
            dropped = std::exchange(dropped_, 0);
        }
        if (dropped > 0) {
            out += "{\"ts\":\"" + FormatRfc3339(Clock::now()) +
                   "\",\"level\":\"warn\",\"event\":\"log.dropped\",\"lines\":" + std::to_string(dropped) + "}\n";
        }
        std::size_t written = 0;
        while (written < out.size()) {
            const auto n = ::write(STDERR_FILENO, out.data() + written, out.size() - written);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;  // stderr closed: nothing sensible to do with the lines
            written += static_cast<std::size_t>(n);
        }
    }

    void FlushLoop() {
        std::unique_lock lock(wake_mutex_);
        while (!stopping_) {
            wake_.wait_for(lock, std::chrono::milliseconds(100),
                           [this] { return stopping_ || urgent_.load(std::memory_order_relaxed); });
            urgent_.store(false, std::memory_order_relaxed);
            lock.unlock();
            WriteOut();
            lock.lock();
        }
    }

    std::string buffer_;         // guarded by the sink's mutex_
    std::uint64_t dropped_ = 0;  // guarded by the sink's mutex_
    std::mutex wake_mutex_;
    std::condition_variable wake_;
    std::atomic<bool> urgent_{false};
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
    logger->log(level, core::JsonText(line));
}

void LogLine(spdlog::level::level_enum level, std::string_view json_line) {
    auto logger = spdlog::default_logger_raw();
    if (logger->should_log(level)) logger->log(level, json_line);
}

std::uint64_t DroppedLogLines() noexcept { return g_dropped_lines.load(std::memory_order_relaxed); }

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
