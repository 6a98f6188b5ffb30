#pragma once
// The collectors module's SQL; blocking, called inside Database::Read/Write.

#include "collectors/collector_types.hpp"
#include "store/database.hpp"

namespace gatehouse::collectors::sql {

using store::Connection;

struct CaRow {
    std::string id;
    std::string certificate;
    std::string sha256;
    std::string not_after;
    std::string created_at;
};
void InsertCa(Connection& c, const CaRow& ca);
/// CAs not retired, newest first.
std::vector<CaRow> TrustedCas(Connection& c);
/// Whether a collector still holds a certificate (current or previous, unexpired) issued by `ca_id`.
bool CaInUse(Connection& c, std::string_view ca_id, std::int64_t now_epoch);
void RetireCa(Connection& c, std::string_view ca_id, std::string_view at);

struct EnrolmentTokenRow {
    std::string id;
    std::string hash;
    std::string note;
    std::string created_by;
    std::string created_at;
    std::string expires_at;
    std::int64_t expires_epoch = 0;
};
void InsertEnrolmentToken(Connection& c, const EnrolmentTokenRow& token);
/// Marks the token with `hash` used by `collector_id`: false when it is unknown, expired or used already.
bool ConsumeEnrolmentToken(Connection& c, std::string_view hash, std::int64_t now_epoch, std::string_view at,
                           std::string_view collector_id);
/// Who created the enrolment token with `hash` (for the new collector's created_by).
std::optional<std::string> EnrolmentTokenCreator(Connection& c, std::string_view hash);

struct CollectorRow {
    CollectorView view;
    CollectorConfig config;
};
void InsertCollector(Connection& c, const CollectorRow& row);
std::optional<CollectorView> FindCollector(Connection& c, std::string_view id, std::int64_t now_epoch);
std::vector<CollectorView> ListCollectors(Connection& c, const std::optional<std::string>& status,
                                          std::int64_t now_epoch, std::string_view after_id, std::size_t limit);
bool DeleteCollector(Connection& c, std::string_view id);
/// The new certificate becomes current; the current one stays accepted (as previous) until it expires, in case
/// the renewal's answer never reached the collector.
bool RenewCollector(Connection& c, std::string_view id, const std::string& sha256, const std::string& not_after,
                    std::int64_t not_after_epoch, std::string_view ca_id, std::string_view at);
/// Certificate SHA-256 -> collector id, for every certificate not expired at `now_epoch`.
std::vector<std::pair<std::string, std::string>> LiveCertificates(Connection& c, std::int64_t now_epoch);

std::optional<CollectorConfig> FindConfig(Connection& c, std::string_view id);
/// Stores `config` with the next version; that version, nullopt for an unknown collector.
std::optional<std::int64_t> UpdateConfig(Connection& c, std::string_view id, const CollectorConfig& config);

}  // namespace gatehouse::collectors::sql
