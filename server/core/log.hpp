#pragma once
// JSON lines on stderr: one line per event, no personal data (no IP, no email, no identity).

#include <boost/json/object.hpp>
#include <string_view>

namespace budget::server {

/// Writes `{"ts":..., "level":..., "event":..., <fields>}` as one line, in one write.
void log_event(std::string_view level, std::string_view event, boost::json::object fields = {});

/// The access log line of one request: `{"ts","level","event":"request","method","path",
/// "status","latency_ms"}`, built without allocating (it runs for every request). `path` is the
/// route pattern, never the raw path, which may carry personal data.
void log_request(std::string_view method, std::string_view route, int status, double latency_ms);

/// Current time as RFC 3339 UTC with milliseconds.
std::string now_rfc3339();

}  // namespace budget::server
