#include "agent/pg_collect.hpp"

#include <libpq-fe.h>

#include "core/errc.hpp"
#include "core/log.hpp"
#include "pgmon/pg_session.hpp"
#include "pgmon/prometheus_export.hpp"
#include "pgmon/queries.hpp"
#include "sampler/pg_sampler.hpp"

namespace gatehouse::agent {

struct PgCollector::Connection {
    pgmon::PooledConn conn;
    ~Connection() {
        if (conn.pg) PQfinish(conn.pg);
    }
};

PgCollector::PgCollector(PgTarget target) : target_(std::move(target)) {}
PgCollector::~PgCollector() = default;

std::vector<metricstore::Sample> PgCollector::Collect(bool with_sizes, std::int64_t ts_ms) {
    pgmon::Exposition out;
    std::string failure;
    try {
        if (!connection_) {
            const char* keys[] = {"dbname", "application_name", "connect_timeout", nullptr};
            const char* values[] = {target_.url.c_str(), "gatehouse-agent", "10", nullptr};
            auto fresh = std::make_unique<Connection>();
            fresh->conn.pg = PQconnectdbParams(keys, values, 1);
            if (PQstatus(fresh->conn.pg) != CONNECTION_OK) {
                // libpq's message names the host, never the password.
                core::LogWarn("agent.postgres_unreachable",
                              {{"target", target_.name}, {"error", std::string(PQerrorMessage(fresh->conn.pg))}});
                throw core::Error(core::errc::bad_gateway, "unreachable");
            }
            connection_ = std::move(fresh);
        }
        pgmon::Session session(connection_->conn);
        auto stats = pgmon::ReadStats(session, with_sizes || sizes_.empty());
        auto activity = pgmon::ReadActivity(session, 200);
        if (stats.sizes) sizes_ = std::move(*stats.sizes);
        if (auto* databases = stats.body.if_contains("databases"); databases && databases->is_array())
            for (auto& db : databases->as_array()) {
                auto& o = db.as_object();
                const auto it = sizes_.find(std::string(o["name"].as_string()));
                if (it != sizes_.end()) o["size_bytes"] = it->second;
            }
        pgmon::ExportServer(out, "", &stats.body, &activity, "");
    } catch (const std::exception& error) {
        connection_.reset();
        failure = "unreachable";
        pgmon::ExportServer(out, "", nullptr, nullptr, failure);
    }
    std::vector<metricstore::Sample> samples;
    for (const auto& [name, labels_text, value] : out.Samples()) {
        auto labels = sampler::ParseLabels(labels_text);
        if (!labels || !metricstore::IsMetricName(name)) continue;
        labels->emplace_back("target", target_.name);
        std::sort(labels->begin(), labels->end());
        samples.push_back({name, std::move(*labels), ts_ms, value});
    }
    return samples;
}

}  // namespace gatehouse::agent
