#pragma once
// Reads what the engine stored, before and after the load: the ballot log, the voted markers and
// the participation counter, through the engine's own client and ballot store (so its keys and
// its cluster routing are the engine's, not a copy).

#include <memory>
#include <string>
#include <vector>

namespace budget::server::redis {
class BlockingClient;
}

namespace budget::loadtest {

/// What the campaign's ballot storage holds at one moment (all ballot shards together).
struct LedgerSnapshot {
    std::vector<long long> log_lengths;  ///< per shard
    long long voted_markers = 0;         ///< identities marked as having voted
    long long stats_total = 0;           ///< sum of the shards' participation totals
};

/// Works against one server or any node of a Redis Cluster (then it routes like budgetd).
class RedisProbe {
  public:
    /// Connects to "redis://host:port" or "unix:///path"; throws std::runtime_error.
    explicit RedisProbe(const std::string& url);
    ~RedisProbe();
    RedisProbe(const RedisProbe&) = delete;
    RedisProbe& operator=(const RedisProbe&) = delete;

    LedgerSnapshot snapshot(const std::string& campaign, int shards);
    /// The raw ballots of one shard's log from `from` (inclusive) to its end.
    std::vector<std::string> log_from(const std::string& campaign, int shard, long long from);

  private:
    std::unique_ptr<server::redis::BlockingClient> client_;
};

}  // namespace budget::loadtest
