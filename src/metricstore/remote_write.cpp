#include "metricstore/remote_write.hpp"

#include <snappy.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>

#include "core/errc.hpp"
#include "core/log.hpp"
#include "http/outbound.hpp"

namespace gatehouse::metricstore {
namespace {

namespace asio = boost::asio;

void Varint(std::string& out, std::uint64_t value) {
    while (value >= 0x80) {
        out += static_cast<char>((value & 0x7f) | 0x80);
        value >>= 7;
    }
    out += static_cast<char>(value);
}

void Key(std::string& out, int field, int wire_type) {
    Varint(out, static_cast<std::uint64_t>(field << 3 | wire_type));
}

void Bytes(std::string& out, int field, std::string_view bytes) {
    Key(out, field, 2);
    Varint(out, bytes.size());
    out.append(bytes);
}

std::string LabelMessage(std::string_view name, std::string_view value) {
    std::string label;
    Bytes(label, 1, name);
    Bytes(label, 2, value);
    return label;
}

}  // namespace

std::string EncodeRemoteWrite(const std::vector<Sample>& samples) {
    // One TimeSeries per series, its samples in time order (remote-write receivers expect that).
    std::map<std::pair<std::string, Labels>, std::vector<const Sample*>> series;
    for (const auto& s : samples) series[{s.name, s.labels}].push_back(&s);
    std::string request;
    for (auto& [key, points] : series) {
        std::sort(points.begin(), points.end(), [](const Sample* a, const Sample* b) { return a->ts_ms < b->ts_ms; });
        Labels labels = key.second;
        labels.emplace_back("__name__", key.first);
        std::sort(labels.begin(), labels.end());
        std::string ts;
        for (const auto& [name, value] : labels) Bytes(ts, 1, LabelMessage(name, value));
        for (const Sample* p : points) {
            std::string sample;
            Key(sample, 1, 1);  // double, fixed64 little-endian
            char bytes[8];
            std::memcpy(bytes, &p->value, 8);
            sample.append(bytes, 8);
            Key(sample, 2, 0);
            Varint(sample, static_cast<std::uint64_t>(p->ts_ms));
            Bytes(ts, 2, sample);
        }
        Bytes(request, 1, ts);
    }
    std::string compressed;
    snappy::Compress(request.data(), request.size(), &compressed);
    return compressed;
}

struct RemoteWriter::Impl {
    asio::any_io_executor executor;
    RemoteWriteOptions options;
    mutable std::mutex mutex;
    std::deque<Sample> queue;
    Counters counters;

    std::vector<Sample> Take() {
        std::lock_guard lock(mutex);
        const auto n = std::min(queue.size(), options.max_batch);
        std::vector<Sample> batch(std::make_move_iterator(queue.begin()),
                                  std::make_move_iterator(queue.begin() + static_cast<std::ptrdiff_t>(n)));
        queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(n));
        return batch;
    }

    asio::awaitable<void> Loop() {
        std::vector<Sample> batch;
        std::chrono::milliseconds backoff = options.interval;
        for (;;) {
            asio::steady_timer timer(executor, backoff);
            co_await timer.async_wait(asio::use_awaitable);
            for (;;) {
                if (batch.empty()) batch = Take();
                if (batch.empty()) break;
                std::vector<std::pair<std::string, std::string>> headers;
                headers.emplace_back(std::string("Content-Type"), std::string("application/x-protobuf"));
                headers.emplace_back(std::string("Content-Encoding"), std::string("snappy"));
                headers.emplace_back(std::string("X-Prometheus-Remote-Write-Version"), std::string("0.1.0"));
                auto result = co_await http::OutboundPost(options.url, EncodeRemoteWrite(batch), std::move(headers),
                                                          options.timeout);
                const int status = result.status.value_or(0);
                if (status >= 200 && status < 300) {
                    std::lock_guard lock(mutex);
                    counters.sent += batch.size();
                    batch.clear();
                    backoff = options.interval;
                    continue;
                }
                if (status >= 400 && status < 500) {
                    core::LogWarn("metrics.remote_write_refused", {{"status", status}, {"samples", batch.size()}});
                    std::lock_guard lock(mutex);
                    counters.dropped += batch.size();
                    batch.clear();
                    continue;
                }
                core::LogWarn("metrics.remote_write_failed",
                              {{"status", status}, {"error", result.error}, {"samples", batch.size()}});
                {
                    std::lock_guard lock(mutex);
                    ++counters.failures;
                }
                backoff = std::min<std::chrono::milliseconds>(backoff * 2, std::chrono::minutes(1));
                break;
            }
        }
    }
};

RemoteWriter::RemoteWriter(asio::any_io_executor executor, RemoteWriteOptions options)
    : impl_(std::make_shared<Impl>()) {
    impl_->executor = std::move(executor);
    impl_->options = std::move(options);
}

RemoteWriter::~RemoteWriter() = default;

void RemoteWriter::Enqueue(const std::vector<Sample>& samples) {
    std::lock_guard lock(impl_->mutex);
    for (const auto& s : samples) impl_->queue.push_back(s);
    while (impl_->queue.size() > impl_->options.max_queued) {
        impl_->queue.pop_front();
        ++impl_->counters.dropped;
    }
}

void RemoteWriter::Start() {
    asio::co_spawn(impl_->executor, impl_->Loop(), [keep = impl_](std::exception_ptr error) {
        if (error) core::LogError("metrics.remote_write_stopped", {{"error", core::What(error)}});
    });
}

RemoteWriter::Counters RemoteWriter::counters() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->counters;
}

}  // namespace gatehouse::metricstore
