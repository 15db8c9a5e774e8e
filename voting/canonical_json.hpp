#pragma once
// Canonical JSON for signed documents: object keys sorted by their UTF-8 bytes at every level,
// no insignificant whitespace, strings as Boost.JSON escapes them (the same as JavaScript's
// JSON.stringify), integers only — so that anyone can re-serialise a document and check a
// signature over exactly the same bytes.

#include <boost/json/value.hpp>
#include <optional>
#include <string>

namespace budget::voting {

/// The canonical text of `value`; std::nullopt if it holds a floating-point number.
std::optional<std::string> canonical_json(const boost::json::value& value);

}  // namespace budget::voting
