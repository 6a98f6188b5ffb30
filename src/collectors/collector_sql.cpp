#include "collectors/collector_sql.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/errc.hpp"

namespace gatehouse::collectors::sql {
namespace {

namespace json = boost::json;
using store::Text;
using store::Value;

constexpr std::string_view kCollectorColumns =
    "id, name, hostname, created_at, created_by, cert_sha256, cert_not_after, cert_not_after_epoch, renewed_at, "
    "last_push_at, last_push_epoch, samples_accepted, samples_rejected, batches, agent_version, config_version, ca_id";

std::string Status(std::int64_t now, std::int64_t not_after, const std::optional<std::int64_t>& last_push) {
    if (not_after <= now) return "expired";
    if (!last_push) return "pending";
    return *last_push >= now - kOfflineAfterSeconds ? "online" : "offline";
}

CollectorView ToCollector(const store::Row& r, std::int64_t now) {
    CollectorView v;
    v.id = r.String(0);
    v.name = r.String(1);
    v.hostname = r.String(2);
    v.created_at = r.String(3);
    v.created_by = r.String(4);
    v.certificate_sha256 = r.String(5);
    v.certificate_expires_at = r.String(6);
    v.certificate_expires_epoch = r.Int(7);
    v.renewed_at = r.OptString(8);
    v.last_push_at = r.OptString(9);
    v.last_push_epoch = r.OptInt(10);
    v.samples_accepted = r.Int(11);
    v.samples_rejected = r.Int(12);
    v.batches = r.Int(13);
    v.agent_version = r.String(14);
    v.config_version = r.Int(15);
    v.ca_id = r.String(16);
    v.status = Status(now, v.certificate_expires_epoch, v.last_push_epoch);
    return v;
}

// The SQL condition of a status (see Status above), with its parameters appended to `params`.
std::string StatusCondition(std::string_view status, std::int64_t now, std::vector<Value>& params) {
    params.emplace_back(now);
    if (status == "expired") return "cert_not_after_epoch <= ?";
    params.emplace_back(now - kOfflineAfterSeconds);
    if (status == "pending") {
        params.pop_back();
        return "cert_not_after_epoch > ? AND last_push_epoch IS NULL";
    }
    if (status == "online") return "cert_not_after_epoch > ? AND last_push_epoch >= ?";
    return "cert_not_after_epoch > ? AND last_push_epoch < ?";
}

json::value ParseStored(const std::string& text) {
    boost::system::error_code ec;
    auto value = json::parse(text, ec);
    if (ec || !value.is_object())
        throw core::Error(core::errc::internal, "internal error", "unreadable collector config");
    return value;
}

}  // namespace

void InsertCa(Connection& c, const CaRow& ca) {
    c.Execute("INSERT INTO collector_cas (id, certificate, sha256, not_after, created_at) VALUES (?, ?, ?, ?, ?)",
              {Text(ca.id), Text(ca.certificate), Text(ca.sha256), Text(ca.not_after), Text(ca.created_at)});
}

std::vector<CaRow> TrustedCas(Connection& c) {
    const auto result = c.Execute(
        "SELECT id, certificate, sha256, not_after, created_at FROM collector_cas WHERE retired_at IS NULL "
        "ORDER BY id DESC");
    std::vector<CaRow> cas;
    for (const auto& r : result.rows) cas.push_back({r.String(0), r.String(1), r.String(2), r.String(3), r.String(4)});
    return cas;
}

bool CaInUse(Connection& c, std::string_view ca_id, std::int64_t now_epoch) {
    const auto result = c.Execute(
        "SELECT 1 FROM collectors WHERE (ca_id = ? AND cert_not_after_epoch > ?) OR "
        "(previous_ca_id = ? AND previous_not_after_epoch > ?) LIMIT 1",
        {Text(ca_id), Value(now_epoch), Text(ca_id), Value(now_epoch)});
    return !result.empty();
}

void RetireCa(Connection& c, std::string_view ca_id, std::string_view at) {
    c.Execute("UPDATE collector_cas SET retired_at = ? WHERE id = ? AND retired_at IS NULL", {Text(at), Text(ca_id)});
}

void InsertEnrolmentToken(Connection& c, const EnrolmentTokenRow& t) {
    c.Execute(
        "INSERT INTO collector_enrolment_tokens (id, token_hash, note, created_by, created_at, expires_at, "
        "expires_epoch) VALUES (?, ?, ?, ?, ?, ?, ?)",
        {Text(t.id), Text(t.hash), Text(t.note), Text(t.created_by), Text(t.created_at), Text(t.expires_at),
         Value(t.expires_epoch)});
}

bool ConsumeEnrolmentToken(Connection& c, std::string_view hash, std::int64_t now_epoch, std::string_view at,
                           std::string_view collector_id) {
    const auto result = c.Execute(
        "UPDATE collector_enrolment_tokens SET used_at = ?, collector_id = ? WHERE token_hash = ? AND used_at IS NULL "
        "AND expires_epoch > ?",
        {Text(at), Text(collector_id), Text(hash), Value(now_epoch)});
    return result.affected == 1;
}

std::optional<std::string> EnrolmentTokenCreator(Connection& c, std::string_view hash) {
    const auto result =
        c.Execute("SELECT created_by FROM collector_enrolment_tokens WHERE token_hash = ?", {Text(hash)});
    if (result.empty()) return std::nullopt;
    return result.rows.front().String(0);
}

void InsertCollector(Connection& c, const CollectorRow& row) {
    const auto& v = row.view;
    c.Execute(
        "INSERT INTO collectors (id, name, hostname, cert_sha256, cert_not_after, cert_not_after_epoch, ca_id, "
        "created_by, created_at, config, config_version, config_updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?)",
        {Text(v.id), Text(v.name), Text(v.hostname), Text(v.certificate_sha256), Text(v.certificate_expires_at),
         Value(v.certificate_expires_epoch), Text(v.ca_id), Text(v.created_by), Text(v.created_at),
         Text(json::serialize(ConfigJson(row.config))), Value(row.config.version), Text(row.config.updated_at)});
}

std::optional<CollectorView> FindCollector(Connection& c, std::string_view id, std::int64_t now_epoch) {
    const auto result =
        c.Execute("SELECT " + std::string(kCollectorColumns) + " FROM collectors WHERE id = ?", {Text(id)});
    if (result.empty()) return std::nullopt;
    return ToCollector(result.rows.front(), now_epoch);
}

std::vector<CollectorView> ListCollectors(Connection& c, const std::optional<std::string>& status,
                                          std::int64_t now_epoch, std::string_view after_id, std::size_t limit) {
    std::string sql = "SELECT " + std::string(kCollectorColumns) + " FROM collectors WHERE id > ?";
    std::vector<Value> params{Text(after_id)};
    if (status) sql += " AND " + StatusCondition(*status, now_epoch, params);
    sql += " ORDER BY id LIMIT ?";
    params.emplace_back(static_cast<std::int64_t>(limit));
    const auto result = c.Execute(sql, params);
    std::vector<CollectorView> collectors;
    for (const auto& r : result.rows) collectors.push_back(ToCollector(r, now_epoch));
    return collectors;
}

bool DeleteCollector(Connection& c, std::string_view id) {
    return c.Execute("DELETE FROM collectors WHERE id = ?", {Text(id)}).affected == 1;
}

bool RenewCollector(Connection& c, std::string_view id, const std::string& sha256, const std::string& not_after,
                    std::int64_t not_after_epoch, std::string_view ca_id, std::string_view at) {
    return c.Execute(
                "UPDATE collectors SET previous_cert_sha256 = cert_sha256, previous_not_after_epoch = "
                "cert_not_after_epoch, previous_ca_id = ca_id, cert_sha256 = ?, cert_not_after = ?, "
                "cert_not_after_epoch = ?, ca_id = ?, "
                "renewed_at = ? WHERE id = ?",
                {Text(sha256), Text(not_after), Value(not_after_epoch), Text(ca_id), Text(at), Text(id)})
               .affected == 1;
}

std::vector<std::pair<std::string, std::string>> LiveCertificates(Connection& c, std::int64_t now_epoch) {
    const auto result = c.Execute(
        "SELECT cert_sha256, id FROM collectors WHERE cert_not_after_epoch > ? UNION ALL "
        "SELECT previous_cert_sha256, id FROM collectors WHERE previous_cert_sha256 IS NOT NULL AND "
        "previous_not_after_epoch > ?",
        {Value(now_epoch), Value(now_epoch)});
    std::vector<std::pair<std::string, std::string>> live;
    live.reserve(result.rows.size());
    for (const auto& r : result.rows) live.emplace_back(r.String(0), r.String(1));
    return live;
}

std::optional<CollectorConfig> FindConfig(Connection& c, std::string_view id) {
    const auto result =
        c.Execute("SELECT config, config_version, config_updated_at FROM collectors WHERE id = ?", {Text(id)});
    if (result.empty()) return std::nullopt;
    const auto& r = result.rows.front();
    const auto stored = ParseStored(r.String(0));
    CollectorConfig config;
    const auto& object = stored.as_object();
    if (const auto* intervals = object.if_contains("intervals"); intervals && intervals->is_object())
        config.intervals = intervals->as_object();
    if (const auto* targets = object.if_contains("postgres"); targets && targets->is_array())
        config.postgres = targets->as_array();
    config.version = r.Int(1);
    config.updated_at = r.String(2);
    return config;
}

std::optional<std::int64_t> UpdateConfig(Connection& c, std::string_view id, const CollectorConfig& config) {
    const auto result = c.Execute(
        "UPDATE collectors SET config = ?, config_version = config_version + 1, config_updated_at = ? WHERE id = ? "
        "RETURNING config_version",
        {Text(json::serialize(ConfigJson(config))), Text(config.updated_at), Text(id)});
    if (result.empty()) return std::nullopt;
    return result.rows.front().Int(0);
}

}  // namespace gatehouse::collectors::sql
