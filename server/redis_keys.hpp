#pragma once
// Redis key names. Every key of a campaign carries its id in a hash tag, so that a script
// touching several keys stays in one slot on Redis Cluster.

#include <string>

namespace budget::server::keys {

inline std::string prefix(const std::string& campaign) { return "budget:{c" + campaign + "}:"; }
inline std::string published(const std::string& campaign) { return prefix(campaign) + "published"; }
/// How many shards the ballots of the campaign are spread over, fixed by the first ballot.
inline std::string ballot_shards(const std::string& campaign) {
    return prefix(campaign) + "ballot_shards";
}

}  // namespace budget::server::keys
