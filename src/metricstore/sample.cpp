#include "metricstore/sample.hpp"

#include <openssl/sha.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstring>

namespace gatehouse::metricstore {
namespace {

bool NameChar(char ch, bool first, bool colon) {
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_') return true;
    if (ch == ':') return colon;
    return !first && ch >= '0' && ch <= '9';
}

bool IsName(std::string_view name, bool colon) {
    if (name.empty() || name.size() > 256) return false;
    for (std::size_t i = 0; i < name.size(); ++i)
        if (!NameChar(name[i], i == 0, colon)) return false;
    return true;
}

}  // namespace

bool IsMetricName(std::string_view name) { return IsName(name, true); }
bool IsLabelName(std::string_view name) { return IsName(name, true); }

std::int64_t SeriesId(std::string_view name, const Labels& labels) {
    // Length-prefixed pieces: no two different series serialise to the same bytes.
    std::string key;
    const auto add = [&key](std::string_view piece) {
        key += std::to_string(piece.size());
        key += ':';
        key += piece;
    };
    add(name);
    for (const auto& [label, value] : labels) {
        add(label);
        add(value);
    }
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), digest);
    std::uint64_t id = 0;
    for (int i = 0; i < 8; ++i) id = (id << 8) | digest[i];
    std::int64_t signed_id = 0;
    std::memcpy(&signed_id, &id, sizeof id);
    return signed_id;
}

std::string LabelsJson(const Labels& labels) {
    boost::json::object object;
    for (const auto& [label, value] : labels) object[label] = value;
    return boost::json::serialize(object);
}

Labels ParseLabelsJson(std::string_view json) {
    Labels labels;
    boost::system::error_code ec;
    const auto value = boost::json::parse(json, ec);
    if (ec || !value.is_object()) return labels;
    for (const auto& [label, text] : value.as_object())
        if (text.is_string()) labels.emplace_back(std::string(label), std::string(text.as_string()));
    std::sort(labels.begin(), labels.end());
    return labels;
}

}  // namespace gatehouse::metricstore
