#pragma once
// The ballot log during the vote (RFC 6962 §3.5 style): one in-memory Merkle tree per ballot
// shard, kept up to date from storage, a signed tree head published every few minutes, and the
// proofs the log endpoints serve (inclusion of a ballot, consistency between two heads).
//
// With `[redis] ballot_shards` > 1 the log is made of one list per shard; each shard gets its
// own tree and its own signed heads (their head names the shard), and the tally checks every
// shard's heads against that shard's part of the final log.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "server/api/app_context.hpp"
#include "voting/merkle.hpp"

namespace budget::server::api {

/// What a tree head says, before it is signed.
struct TreeHead {
    std::string campaign;
    std::uint64_t tree_size = 0;
    voting::Hash root{};
    std::string timestamp;     ///< Paris civil time, RFC 3339
    std::optional<int> shard;  ///< named only when the campaign has several shards
};

/// A signed tree head as stored and served:
/// `{"head":{"campaign","root","timestamp","tree_size"[,"shard"]},"signature"}`, the signature
/// being over the canonical bytes of `head` (so a head of one shard cannot pass for another's).
boost::json::object sign_tree_head(const SigningKey& key, const TreeHead& head);

/// Proof that the first `from` entries of a shard's log are a prefix of its first `to`.
struct ConsistencyProof {
    voting::Hash root_from{}, root_to{};
    std::vector<voting::Hash> path;
};

/// Proof that an entry is in the tree of a shard's first `tree_size` entries.
struct InclusionProof {
    voting::Hash leaf{}, root{};
    std::vector<voting::Hash> path;
};

class LogService {
  public:
    explicit LogService(AppContext& ctx);

    int shards() const { return static_cast<int>(trees_.size()); }

    /// Publishes a head every `interval` while the vote is open (and once just after the close).
    void start(boost::asio::io_context& ioc, std::chrono::seconds interval);

    /// Appends what shard `shard`'s log gained since the last look to its in-memory tree;
    /// false when storage could not be read.
    boost::asio::awaitable<bool> catch_up(int shard);
    /// Signs and stores a head for every shard whose log grew since its last head from here.
    boost::asio::awaitable<void> publish_head();

    /// Against the shard's tree as caught up so far; std::nullopt when it is not that large.
    std::optional<ConsistencyProof> consistency(int shard, std::uint64_t from,
                                                std::uint64_t to) const;
    std::optional<InclusionProof> inclusion(int shard, std::uint64_t index,
                                            std::uint64_t tree_size) const;

  private:
    boost::asio::awaitable<void> run(std::chrono::seconds interval);
    /// Whether a replica holds the shard's log as read so far (with [redis] wait_replicas).
    boost::asio::awaitable<bool> replicated(int shard, std::uint64_t size);
    /// Signs and stores shard `shard`'s head if its log grew.
    boost::asio::awaitable<void> publish_shard_head(int shard, const std::string& timestamp);

    AppContext& ctx_;
    mutable std::mutex mutex_;
    std::vector<voting::MerkleTree> trees_;    ///< one per shard, sized once: indexes stay valid
    std::vector<std::uint64_t> signed_sizes_;  ///< per shard, the last size this process signed
};

}  // namespace budget::server::api
