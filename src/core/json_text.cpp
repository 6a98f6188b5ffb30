#include "core/json_text.hpp"

#include <boost/json/serialize.hpp>
#include <charconv>
#include <cmath>

namespace gatehouse::core {

namespace json = boost::json;

namespace {

bool HasDouble(const json::value& value);

bool HasDouble(const json::array& array) {
    for (const auto& element : array)
        if (HasDouble(element)) return true;
    return false;
}

bool HasDouble(const json::object& object) {
    for (const auto& member : object)
        if (HasDouble(member.value())) return true;
    return false;
}

bool HasDouble(const json::value& value) {
    switch (value.kind()) {
        case json::kind::double_:
            return true;
        case json::kind::array:
            return HasDouble(value.get_array());
        case json::kind::object:
            return HasDouble(value.get_object());
        default:
            return false;
    }
}

void AppendDouble(std::string& out, double number) {
    if (!std::isfinite(number)) {
        out += "null";
        return;
    }
    if (number == 0) {  // also -0
        out += '0';
        return;
    }
    // Shortest round-trip digits in fixed notation; 5e-324 needs 326 characters, 1.8e308 needs 310.
    char buffer[400];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, number, std::chars_format::fixed);
    out.append(buffer, result.ptr);
}

void Append(std::string& out, const json::value& value);

void Append(std::string& out, const json::array& array) {
    out += '[';
    bool first = true;
    for (const auto& element : array) {
        if (!first) out += ',';
        first = false;
        Append(out, element);
    }
    out += ']';
}

void Append(std::string& out, const json::object& object) {
    out += '{';
    bool first = true;
    for (const auto& member : object) {
        if (!first) out += ',';
        first = false;
        out += json::serialize(member.key());
        out += ':';
        Append(out, member.value());
    }
    out += '}';
}

void Append(std::string& out, const json::value& value) {
    switch (value.kind()) {
        case json::kind::double_:
            AppendDouble(out, value.get_double());
            break;
        case json::kind::array:
            Append(out, value.get_array());
            break;
        case json::kind::object:
            Append(out, value.get_object());
            break;
        default:
            out += json::serialize(value);
    }
}

template <class Json>
std::string Text(const Json& json) {
    // Most documents hold no double: Boost's serializer writes those in one pass.
    if (!HasDouble(json)) return json::serialize(json);
    std::string out;
    Append(out, json);
    return out;
}

}  // namespace

std::string JsonText(const json::value& value) { return Text(value); }
std::string JsonText(const json::object& object) { return Text(object); }
std::string JsonText(const json::array& array) { return Text(array); }

}  // namespace gatehouse::core
