#pragma once

#include <boost/json/value.hpp>
#include <string>

namespace gatehouse::core {

/// Compact JSON text of `value`, with numbers as people write them. Boost 1.81 writes every double in exponent
/// form (265.26 as 2.6526E2, 0 as 0E0); here a double is its shortest round-trip decimal without an exponent
/// (265.26, 0.5, 3), and a non-finite one, which JSON cannot hold, is null. Everything else is Boost's text.
std::string JsonText(const boost::json::value& value);
std::string JsonText(const boost::json::object& object);
std::string JsonText(const boost::json::array& array);

}  // namespace gatehouse::core
