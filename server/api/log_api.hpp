#pragma once
// The ballot log during the vote (RFC 6962 §3.5 style): a signed tree head published every few
// minutes, inclusion proofs of a ballot against a head before the close, and consistency proofs
// between heads, so that an auditor can prove the log only ever grew.
//
// With `[redis] ballot_shards` > 1 the log is made of one list per shard, each in its own Redis
// slot; each shard gets its own tree and its own signed heads (their head names the shard), and
// the tally checks every shard's heads against that shard's part of the final log.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "server/api/app_context.hpp"
#include "server/redis/client.hpp"
#include "server/http/router.hpp"
#include "voting/merkle.hpp"

namespace budget::server {

/// The list of shard `shard`'s signed heads. Shard 0 keeps the key it had before shards
/// (`budget:{c<id>}:heads`); shard k uses `...:heads:<k>`, in the same slot.
std::string tree_heads_key(const std::string& campaign, int shard = 0);

/// A signed tree head as stored:
/// `{"head":{"campaign","root","timestamp","tree_size"},"signature"}`; with more than one shard
/// the head also names its `shard`, inside the signed bytes.
boost::json::object sign_tree_head(const AppContext& ctx, std::uint64_t tree_size,
                                   const voting::Hash& root, const std::string& timestamp,
                                   int shard = 0);

class LogApi {
  public:
    explicit LogApi(AppContext& ctx);
    void register_routes(Router& router);
    /// Publishes a head every `interval` while the vote is open (and once just after the close).
    void start(boost::asio::io_context& ioc, std::chrono::seconds interval);

  private:
    boost::asio::awaitable<Response> head(RequestContext& rc);
    boost::asio::awaitable<Response> heads(RequestContext& rc);
    boost::asio::awaitable<Response> consistency(RequestContext& rc);
    boost::asio::awaitable<Response> inclusion(RequestContext& rc);

    /// Appends what shard `shard`'s log gained since the last look to its in-memory tree.
    boost::asio::awaitable<bool> catch_up(int shard);
    /// Whether a replica holds the shard's log as read so far (with [redis] wait_replicas).
    boost::asio::awaitable<bool> shard_replicated(int shard, std::uint64_t size);
    /// Signs and stores a head for every shard whose log grew since its last head from here.
    boost::asio::awaitable<void> publish_head();
    boost::asio::awaitable<void> run(std::chrono::seconds interval);

    AppContext& ctx_;
    redis::Script append_head_;
    redis::Script mark_shard_;
    std::mutex mutex_;
    std::vector<voting::MerkleTree> trees_;    ///< one per shard, sized once: indexes stay valid
    std::vector<std::uint64_t> signed_sizes_;  ///< per shard, the last size this process signed
};

}  // namespace budget::server
