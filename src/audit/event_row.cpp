#include "audit/event_row.hpp"

#include <array>
#include <boost/json/parse.hpp>
#include <cstdint>

#include "core/base64.hpp"
#include "core/errc.hpp"
#include "core/json_text.hpp"
#include "core/log.hpp"
#include "core/time.hpp"

namespace gatehouse::audit::detail {
namespace {

// Empty optional columns are stored as NULL so that "no actor" and "actor ''" cannot differ.
store::Value OptionalText(const std::string& s) { return s.empty() ? store::Value(nullptr) : store::Value(s); }

std::string TextOrEmpty(const store::Row& row, std::size_t i) { return row.OptString(i).value_or(std::string()); }

}  // namespace

void AppendEventParams(const Event& event, std::vector<store::Value>& params) {
    params.emplace_back(event.id);
    params.emplace_back(core::FormatRfc3339(event.time));
    params.emplace_back(event.actor_kind);
    params.push_back(OptionalText(event.actor_id));
    params.push_back(OptionalText(event.actor_name));
    params.push_back(OptionalText(event.source_ip));
    params.push_back(OptionalText(event.user_agent));
    params.emplace_back(event.action);
    params.push_back(OptionalText(event.resource_type));
    params.push_back(OptionalText(event.resource_id));
    params.emplace_back(event.outcome);
    params.push_back(event.status ? store::Value(std::int64_t{*event.status}) : store::Value(nullptr));
    params.push_back(OptionalText(event.request_id));
    params.emplace_back(core::JsonText(event.details));
}

Event EventFromRow(const store::Row& row) {
    Event event;
    event.id = row.String(0);
    if (const auto time = core::ParseRfc3339(row.String(1))) event.time = *time;
    event.actor_kind = row.String(2);
    event.actor_id = TextOrEmpty(row, 3);
    event.actor_name = TextOrEmpty(row, 4);
    event.source_ip = TextOrEmpty(row, 5);
    event.user_agent = TextOrEmpty(row, 6);
    event.action = row.String(7);
    event.resource_type = TextOrEmpty(row, 8);
    event.resource_id = TextOrEmpty(row, 9);
    event.outcome = row.String(10);
    if (const auto status = row.OptInt(11)) event.status = static_cast<int>(*status);
    event.request_id = TextOrEmpty(row, 12);
    boost::system::error_code ec;
    boost::json::value details = boost::json::parse(row.String(13), ec);
    if (!ec && details.is_object()) {
        event.details = std::move(details.as_object());
    } else {
        // Only a hand-edited row gets here; the event is still worth showing without its details.
        core::LogWarn("audit.bad_details", {{"id", event.id}});
    }
    return event;
}

std::string EncodeCursor(const CursorKey& key) { return core::Base64UrlEncode(key.ts + "|" + key.id); }

CursorKey DecodeCursor(std::string_view cursor) {
    const core::Error malformed(core::errc::invalid_argument, "malformed cursor");
    const auto raw = core::Base64UrlDecode(cursor);
    if (!raw) throw malformed;
    const auto bar = raw->find('|');
    if (bar == std::string::npos) throw malformed;
    CursorKey key{raw->substr(0, bar), raw->substr(bar + 1)};
    // Only what EncodeCursor produces: a canonical timestamp and a plausible id.
    const auto time = core::ParseRfc3339(key.ts);
    if (!time || core::FormatRfc3339(*time) != key.ts) throw malformed;
    if (key.id.empty() || key.id.size() > 200) throw malformed;
    for (const char c : key.id) {
        if (static_cast<unsigned char>(c) < 0x20) throw malformed;
    }
    return key;
}

}  // namespace gatehouse::audit::detail
