#include <string>

#include "store/database.hpp"

namespace gatehouse::store {
namespace {

[[noreturn]] void Mismatch(std::size_t i, const char* wanted, const Value& v) {
    static constexpr const char* kNames[] = {"null", "integer", "double", "string", "blob"};
    throw core::Error(core::errc::internal, "database error",
                      "column " + std::to_string(i) + " is " + kNames[v.index()] + ", wanted " + wanted);
}

}  // namespace

const Value& Row::at(std::size_t i) const {
    if (i >= values_.size()) {
        throw core::Error(
            core::errc::internal, "database error",
            "column index " + std::to_string(i) + " out of range (" + std::to_string(values_.size()) + " columns)");
    }
    return values_[i];
}

bool Row::IsNull(std::size_t i) const { return std::holds_alternative<std::nullptr_t>(at(i)); }

std::int64_t Row::Int(std::size_t i) const {
    const Value& v = at(i);
    if (const auto* p = std::get_if<std::int64_t>(&v)) return *p;
    Mismatch(i, "integer", v);
}

double Row::Double(std::size_t i) const {
    const Value& v = at(i);
    if (const auto* p = std::get_if<double>(&v)) return *p;
    if (const auto* p = std::get_if<std::int64_t>(&v)) return static_cast<double>(*p);
    Mismatch(i, "double", v);
}

bool Row::Bool(std::size_t i) const { return Int(i) != 0; }

const std::string& Row::String(std::size_t i) const {
    const Value& v = at(i);
    if (const auto* p = std::get_if<std::string>(&v)) return *p;
    Mismatch(i, "string", v);
}

const std::string& Row::Bytes(std::size_t i) const {
    const Value& v = at(i);
    if (const auto* p = std::get_if<Blob>(&v)) return p->bytes;
    Mismatch(i, "blob", v);
}

std::optional<std::int64_t> Row::OptInt(std::size_t i) const {
    if (IsNull(i)) return std::nullopt;
    return Int(i);
}

std::optional<std::string> Row::OptString(std::size_t i) const {
    if (IsNull(i)) return std::nullopt;
    return String(i);
}

std::size_t ResultSet::Column(std::string_view name) const {
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (columns[i] == name) return i;
    }
    throw core::Error(core::errc::internal, "database error", "no column named '" + std::string(name) + "' in result");
}

}  // namespace gatehouse::store
