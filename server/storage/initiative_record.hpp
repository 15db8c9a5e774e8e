#pragma once
// An initiative as stored: what the Mission submitted, plus the territory derived from the
// commune. Kept as JSON with a fixed key order in the campaign's `initiatives` hash.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace budget::server::storage {

struct InitiativeRecord {
    std::string id;
    std::string title;
    std::string summary;
    std::string holder;
    std::string commune;    ///< INSEE code
    std::string territory;  ///< territory id, derived from the commune
    std::int64_t requested_eur = 0;
};

/// The stored JSON of a record (fixed key order).
std::string to_stored_json(const InitiativeRecord& record);
/// Reads a stored record; std::nullopt when it does not parse.
std::optional<InitiativeRecord> record_from_stored_json(std::string_view text);

}  // namespace budget::server::storage
