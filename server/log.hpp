#pragma once
// JSON lines on stderr: one line per event, no personal data (no IP, no email, no identity).

#include <boost/json/object.hpp>
#include <string_view>

namespace budget::server {

/// Writes `{"ts":..., "level":..., "event":..., <fields>}` as one line, in one write.
void log_event(std::string_view level, std::string_view event, boost::json::object fields = {});

/// Current time as RFC 3339 UTC with milliseconds.
std::string now_rfc3339();

}  // namespace budget::server
