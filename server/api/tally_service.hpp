#pragma once
// From the closed ballot log to the signed results document, shared by budgetd
// (POST /api/v1/admin/tally) and budgetctl (tally). Reading the log is the caller's: budgetd
// streams it with the asynchronous client, budgetctl with a blocking one.

#include <boost/json/object.hpp>
#include <boost/system/result.hpp>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "server/storage/campaign_store.hpp"
#include "server/core/secrets.hpp"
#include "voting/allocation.hpp"
#include "voting/merkle.hpp"
#include "voting/tally.hpp"

namespace budget::server {

/// Ballots are read from each shard's log in pages of this many entries.
inline constexpr int kTallyPage = 10'000;

/// The log key of shard `shard`; the global log is shard 0, then shard 1, and so on.
std::string ballot_log_key(const std::string& campaign, int shard);
std::string ballot_stats_key(const std::string& campaign, int shard);
std::string results_key(const std::string& campaign);        ///< published results (hash)
std::string draft_results_key(const std::string& campaign);  ///< last tally before publication

/// A tree head signed during the vote that the closed log does not extend.
struct TreeHeadMismatch {
    int shard = 0;
    std::uint64_t tree_size = 0;  ///< as the head says; 0 when it could not be read
    bool unreadable = false;      ///< the stored head is not a tree head of this shard
};

/// Checks the tree heads signed during the vote against the closed log, shard by shard: a head
/// of shard k must carry the root of the first `tree_size` entries of shard k's own log.
/// `log` is the global tree (shard 0's entries, then shard 1's, and so on), `shard_sizes[k]` the
/// number of entries of shard k, `shard_heads[k]` shard k's heads as stored
/// (`{"head":{...},"signature"}`). Returns how many heads were checked, or the first one the log
/// does not extend.
boost::system::result<std::uint64_t, TreeHeadMismatch> check_tree_heads(
    const voting::MerkleTree& log, std::span<const std::uint64_t> shard_sizes,
    std::span<const std::vector<std::string>> shard_heads);

[[noreturn]] void throw_exception_from_error(const TreeHeadMismatch& mismatch,
                                             const boost::source_location& loc);

/// A signed results document as stored and served.
struct SignedResults {
    std::string document;    ///< canonical JSON text, the signed bytes
    std::string signature;   ///< base64 Ed25519
    std::string public_key;  ///< base64 Ed25519
    /// `{"document":{...},"signature","public_key"}`, the shape of GET /api/v1/results.
    boost::json::object to_json() const;
};

/// A tally builder with the sealed ballot's initiatives, in ballot order.
voting::TallyBuilder make_tally_builder(const SealedBallot& ballot);

/// Digest of the campaign settings that decide the count (id, window, choices, age, envelope).
std::string campaign_config_digest(const config::CampaignConfig& campaign);

/// Allocates with `rule`, builds the document, signs it. Errors are one-line reasons.
boost::system::result<SignedResults, std::string> finish_tally(
    const config::Config& config, const SealedBallot& ballot, const voting::TallyBuilder& tally,
    voting::Rule rule, const SigningKey& key, const std::string& tallied_at,
    std::uint64_t tree_heads_checked = 0);

/// results.csv: UTF-8 with BOM, ';' separated, French headers, one line per initiative.
std::string results_csv(const boost::json::object& document);

}  // namespace budget::server
