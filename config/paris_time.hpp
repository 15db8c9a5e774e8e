#pragma once
// Civil time for the campaign: RFC 3339 instants in, Europe/Paris civil time out. The EU
// summer-time rule is written out here, so the answers do not depend on the host's TZ setting or
// time-zone database.

#include <cstdint>
#include <optional>
#include <string>

namespace budget::config {

/// Parses an RFC 3339 date-time with an explicit offset ("2026-09-01T00:00:00+02:00" or "...Z")
/// into seconds since the epoch; std::nullopt when malformed.
std::optional<std::int64_t> parse_rfc3339(const std::string& text);

/// Seconds since the epoch, now (the server clock that opens and closes the vote).
std::int64_t unix_now();

/// Formats seconds since the epoch as RFC 3339 in Europe/Paris civil time with its offset.
std::string format_paris_time(std::int64_t unix_seconds);

/// The offset of Europe/Paris from UTC at that instant, in seconds (3600 or 7200, EU rules).
int paris_utc_offset(std::int64_t unix_seconds);

}  // namespace budget::config
