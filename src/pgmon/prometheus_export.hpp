#pragma once
// Monitoring snapshots in the Prometheus text format, under postgres_exporter's metric names where it has them, so
// dashboards built for it work unchanged.

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "pgmon/queries.hpp"

namespace gatehouse::pgmon {

/// Samples grouped by family in the order families first appear, so several servers' series share one HELP/TYPE.
class Exposition {
  public:
    /// `labels`: the inside of the braces, already escaped (`datname="app"`), or empty.
    void Add(std::string_view name, std::string_view type, std::string_view help, std::string labels, double value);
    std::string Render() const;
    /// Every sample as (name, labels text as given to Add, value), for the built-in sampler.
    std::vector<std::tuple<std::string, std::string, double>> Samples() const;

  private:
    struct Family {
        std::string name, type, help;
        std::vector<std::pair<std::string, double>> samples;
    };
    std::vector<Family> families_;
};

/// One server's series. `server_labels` is prepended to every sample's labels (`server="id",server_name="db-1"` or
/// empty). Without a snapshot (`stats` null) only pg_up 0 and the failure's kind are written.
void ExportServer(Exposition& out, const std::string& server_labels, const boost::json::object* stats,
                  const ActivityRows* activity, std::string_view failure_kind);

}  // namespace gatehouse::pgmon
