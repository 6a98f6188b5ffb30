#include "sampler/pg_sampler.hpp"

#include <algorithm>

#include "core/errc.hpp"
#include "core/log.hpp"
#include "core/time.hpp"

namespace gatehouse::sampler {
namespace {

using metricstore::Labels;
using metricstore::Sample;

std::int64_t AlignedNowMs(std::chrono::seconds interval) {
    const auto now =
        std::chrono::duration_cast<std::chrono::milliseconds>(core::Clock::now().time_since_epoch()).count();
    const std::int64_t step = std::max<std::int64_t>(1, interval.count()) * 1000;
    return now - now % step;
}

void AddServer(Labels& labels, const std::string& server_id) {
    labels.emplace_back("server", server_id);
    std::sort(labels.begin(), labels.end());
}

}  // namespace

std::optional<Labels> ParseLabels(std::string_view text) {
    Labels labels;
    std::size_t i = 0;
    while (i < text.size()) {
        const auto eq = text.find('=', i);
        if (eq == std::string_view::npos || eq + 1 >= text.size() || text[eq + 1] != '"') return std::nullopt;
        std::string name(text.substr(i, eq - i)), value;
        std::size_t j = eq + 2;
        for (; j < text.size() && text[j] != '"'; ++j) {
            if (text[j] == '\\' && j + 1 < text.size()) {
                ++j;
                value += text[j] == 'n' ? '\n' : text[j];
            } else {
                value += text[j];
            }
        }
        if (j >= text.size()) return std::nullopt;
        labels.emplace_back(std::move(name), std::move(value));
        i = j + 1;
        if (i < text.size() && text[i] == ',') ++i;
    }
    std::sort(labels.begin(), labels.end());
    return labels;
}

PgSampler::PgSampler(pgmon::MonitorService& monitor, metricstore::MetricService& store, std::chrono::seconds interval,
                     std::chrono::seconds tables_interval)
    : monitor_(monitor), store_(store), interval_(interval), tables_interval_(tables_interval) {}

boost::asio::awaitable<std::size_t> PgSampler::SampleOnce() {
    const auto servers = co_await monitor_.MonitoredServers();
    const auto ts = AlignedNowMs(interval_);
    const auto now = std::chrono::steady_clock::now();
    std::vector<Sample> samples;
    for (const auto& server : servers) {
        // A server new to the sampler gets its tables read at once, then every tables interval.
        const auto last = last_tables_.find(server.id);
        const bool tables = last == last_tables_.end() || now - last->second >= tables_interval_;
        if (tables) last_tables_[server.id] = now;
        const auto exposition = co_await monitor_.Export(server.id);
        for (const auto& [name, labels_text, value] : exposition.Samples()) {
            auto labels = ParseLabels(labels_text);
            if (!labels || !metricstore::IsMetricName(name)) continue;
            AddServer(*labels, server.id);
            samples.push_back(Sample{name, std::move(*labels), ts, value});
        }
        if (!tables) continue;
        // Dead tuples need a connection to each database: at the tables interval only, and a server that fails
        // here still has its other series.
        try {
            const auto databases = co_await monitor_.Databases(server.id, false);
            const auto* list = databases.body.if_contains("databases");
            if (!list || !list->is_array()) continue;
            for (const auto& db : list->as_array()) {
                if (!db.is_object() || !db.as_object().contains("name")) continue;
                const std::string datname(db.as_object().at("name").as_string());
                // A named copy: GCC 12 destroys a braced temporary argument of a coroutine twice.
                const pgmon::StatementsQuery statements;
                const auto stats = co_await monitor_.DatabaseStats(server.id, datname, statements, false);
                double dead = 0, worst_ratio = 0;
                if (const auto* rows = stats.body.if_contains("tables"); rows && rows->is_array())
                    for (const auto& table : rows->as_array()) {
                        const auto& t = table.as_object();
                        dead += t.at("dead_tuples").to_number<double>();
                        if (t.at("dead_tuple_ratio").is_number())
                            worst_ratio = std::max(worst_ratio, t.at("dead_tuple_ratio").to_number<double>());
                    }
                Labels labels{{"datname", datname}};
                AddServer(labels, server.id);
                samples.push_back(Sample{"gatehouse_pg_dead_tuples", labels, ts, dead});
                samples.push_back(Sample{"gatehouse_pg_dead_tuple_ratio_max", labels, ts, worst_ratio});
            }
        } catch (const core::Error& error) {
            core::LogWarn("sampler.tables_failed", {{"server_id", server.id}, {"error", error.what()}});
        }
    }
    if (samples.empty()) co_return 0;
    co_return co_await store_.Write(std::move(samples));
}

}  // namespace gatehouse::sampler
