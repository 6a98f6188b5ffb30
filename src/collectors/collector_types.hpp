#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/paging.hpp"

namespace gatehouse::collectors {

using store::Page;

/// What a collector collects and how often: pushed to it as GET /collectors/{id}/config.
struct CollectorConfig {
    std::int64_t version = 1;
    boost::json::object intervals;  // metric group -> seconds
    boost::json::array postgres;    // targets: [{name, url}] (urls never carry a password)
    std::string updated_at;
};

/// The metric groups the monitoring queries collect, with their default intervals in seconds.
const std::vector<std::pair<std::string, std::int64_t>>& MetricGroups();
/// The config of a new collector: every group at its default interval, no targets.
CollectorConfig DefaultConfig(std::string updated_at);
boost::json::object ConfigJson(const CollectorConfig& config);
/// Throws core::Error(invalid_argument) naming the field: unknown groups, intervals outside 1 s .. 1 day, targets
/// that are not postgresql:// URLs without a password, more than 64 targets.
void ValidateConfig(const CollectorConfig& config);

struct CollectorView {
    std::string id;
    std::string name;
    std::string hostname;
    std::string status;  // pending (never pushed), online (pushed in the last 5 min), offline, expired (certificate)
    std::string created_at;
    std::string created_by;
    std::string certificate_sha256;
    std::string certificate_expires_at;
    std::int64_t certificate_expires_epoch = 0;
    std::optional<std::string> renewed_at;
    std::optional<std::string> last_push_at;
    std::optional<std::int64_t> last_push_epoch;
    std::int64_t samples_accepted = 0;
    std::int64_t samples_rejected = 0;
    std::int64_t batches = 0;
    std::string agent_version;
    std::int64_t config_version = 1;
    std::string ca_id;
};

/// Seconds without a push after which an enrolled collector counts as offline.
inline constexpr std::int64_t kOfflineAfterSeconds = 300;
inline constexpr const char* kStatuses[] = {"pending", "online", "offline", "expired"};

struct EnrolmentTokenIssued {
    std::string id;
    std::string token;  // shown once; only its SHA-256 is stored
    std::string note;
    std::string created_at;
    std::string expires_at;
};

struct RegisterRequest {
    std::string name;
    std::string hostname;
    std::optional<std::string> csr;
    std::optional<std::string> enrolment_token;  // or:
    std::string created_by;                      // the operator whose API token registers it
};

/// What enrolment and renewal hand a collector.
struct Registration {
    std::string collector_id;
    std::string certificate;
    std::optional<std::string> private_key;  // only when no CSR was sent
    std::string ca_certificate;              // every trusted CA, newest first
    std::string certificate_expires_at;
    std::string token;
    std::string token_expires_at;
    CollectorConfig config;
};

/// A CA as `gatehouse ca show` and the listener see it.
struct CaView {
    std::string id;
    std::string certificate;
    std::string sha256;
    std::string not_after;
    std::string created_at;
    bool signing = false;  // the newest: it issues new certificates
};

}  // namespace gatehouse::collectors
