#pragma once
// The signed tree heads of the ballot log, published during the vote (RFC 6962 style), one
// list per ballot shard:
//   budget:{c<id>}:heads      shard 0 (the key of the single-shard log, kept)
//   budget:{c<id>}:heads:<k>  shard k
//   budget:{c<id>:b<k>}:head_mark   a marker written before WAIT (see mark_replicated)
// Each entry is `{"head":{...},"signature"}` as signed; the list only ever grows with larger
// trees, whichever budgetd process publishes.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/redis/client.hpp"
#include "server/storage/store_result.hpp"

namespace budget::server::storage {

class LogStore {
  public:
    LogStore(redis::Client& redis, std::string campaign);

    /// Appends a signed head of `tree_size` unless the last one is as large: true when added.
    boost::asio::awaitable<StoreResult<bool>> append_head(int shard, std::string signed_head,
                                                          std::uint64_t tree_size);
    /// The last head of the shard, as stored; std::nullopt when none was published.
    boost::asio::awaitable<StoreResult<std::optional<std::string>>> latest_head(int shard);
    /// Every head of the shard, oldest first.
    boost::asio::awaitable<StoreResult<std::vector<std::string>>> heads(int shard);

    /// Whether `replicas` replicas hold the shard's node's writes up to now: writes a marker in
    /// the shard's slot and WAITs on the same connection (replication is one ordered stream per
    /// node, so the marker's acknowledgement covers everything read from that node before).
    boost::asio::awaitable<bool> mark_replicated(int shard, std::uint64_t tree_size, int replicas,
                                                 std::chrono::milliseconds timeout);

  private:
    redis::Client& redis_;
    std::string campaign_;
    redis::Script append_head_script_, mark_shard_script_;
};

}  // namespace budget::server::storage
