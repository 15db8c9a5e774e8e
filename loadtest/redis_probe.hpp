#pragma once
// A small synchronous hiredis connection, used before and after the load to read what the engine
// stored: the ballot log, the voted markers and the participation counter.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

struct redisContext;

namespace budget::loadtest {

/// What the campaign's ballot storage holds at one moment (all ballot shards together).
struct LedgerSnapshot {
    std::vector<long long> log_lengths;  ///< per shard
    long long voted_markers = 0;         ///< keys budget:{c<id>:b<shard>}:voted:*
    long long stats_total = 0;           ///< sum of the shards' stats "total" field
};

/// Works against one server or any node of a Redis Cluster (it follows MOVED redirections and
/// scans each shard on the master that serves it).
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

    static std::string shard_prefix(const std::string& campaign, int shard);

  private:
    struct Free {
        void operator()(redisContext* c) const;
    };
    /// The connection to the node serving `key` (the first one unless it redirects).
    redisContext* owner_of(const std::string& key);
    redisContext* connect_node(const std::string& host, int port);

    std::unique_ptr<redisContext, Free> ctx_;
    std::map<std::string, std::unique_ptr<redisContext, Free>> nodes_;
};

}  // namespace budget::loadtest
