#pragma once
// After the vote, the one path from the closed ballot log to the signed results document, used
// by budgetd (POST /api/v1/admin/tally, the published results) and by budgetctl (tally, pabulib
// export): the phase and shard checks, the log read in pages, the check of the tree heads signed
// during the vote, the allocation, the signature and the draft. Failures are values: the API
// words them with its error table, budgetctl in English.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json/object.hpp>
#include <boost/system/result.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "server/core/clock.hpp"
#include "server/core/signing.hpp"
#include "server/storage/stores.hpp"
#include "voting/allocation.hpp"
#include "voting/merkle.hpp"
#include "voting/tally.hpp"

namespace budget::server::api {

/// Ballots are read from each shard's log in pages of this many entries, so that memory stays
/// bounded by the tree and not by the raw log.
inline constexpr std::uint64_t kTallyPage = 10'000;

// ---- pure steps ----------------------------------------------------------------------------

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

/// A tally builder with the sealed ballot's initiatives, in ballot order.
voting::TallyBuilder make_tally_builder(const storage::SealedBallot& ballot);

/// Digest of the campaign settings that decide the count (id, window, choices, age, envelope).
std::string campaign_config_digest(const config::CampaignConfig& campaign);

/// Allocates with `rule`, builds the document, signs it. Errors are one-line reasons.
boost::system::result<storage::SignedResults, std::string> finish_tally(
    const config::Config& config, const storage::SealedBallot& ballot,
    const voting::TallyBuilder& tally, voting::Rule rule, const SigningKey& key,
    const std::string& tallied_at, std::uint64_t tree_heads_checked = 0);

/// One text cell of a ';' separated file: quoted when it holds ';', '"' or a line break, and
/// neutralised (a leading ' inside quotes) when it starts with = + - @ tab or carriage return, so
/// that no spreadsheet reads it as a formula. Numbers are not written through it.
std::string csv_field(std::string_view text);

/// results.csv: UTF-8 with BOM, ';' separated, French headers, one line per initiative.
std::string results_csv(const boost::json::object& document);

// ---- the service -----------------------------------------------------------------------------

/// Records the close as soon as this process's clock passes it (each second, until recorded by
/// anyone): the ballot script then refuses ballots on every process, clocks behind included.
void watch_close(boost::asio::io_context& ioc, storage::CampaignStore& campaign, int shards);

/// Why the tally, or the reading of the closed campaign, stopped.
enum class TallyFailure {
    vote_not_closed,
    already_published,
    ballot_shards_mismatch,  ///< `campaign_shards`: the count the first ballot fixed
    ballot_not_sealed,       ///< no sealed ballot (the vote never opened)
    ballot_corrupt,          ///< the sealed ballot does not match its digest
    storage_unavailable,
    corrupt_log,             ///< `reason`: the entry that cannot be counted
    tree_head_unreadable,    ///< `shard`
    log_not_extending_head,  ///< `shard`, `tree_size`
    tally_failed,            ///< `reason`: allocation or signature
};

struct TallyError {
    TallyFailure failure = TallyFailure::storage_unavailable;
    int shard = 0;                ///< the shard whose head is refused
    std::uint64_t tree_size = 0;  ///< the refused head's size
    int campaign_shards = 0;      ///< with ballot_shards_mismatch
    std::string reason;           ///< with corrupt_log and tally_failed (English, one line)
};

[[noreturn]] void throw_exception_from_error(const TallyError& error,
                                             const boost::source_location& loc);

template <typename T>
using TallyResult = boost::system::result<T, TallyError>;

/// The closed campaign read back: its sealed ballot and its whole log, counted.
struct CountedLog {
    std::shared_ptr<const storage::SealedBallot> ballot;
    /// Empty by default only so that results of these types can be run to completion
    /// (asio's co_spawn builds a default value when the coroutine throws).
    voting::TallyBuilder tally{std::vector<std::string>{}};
    std::vector<std::uint64_t> shard_sizes;  ///< entries of each shard, in log order
    std::vector<std::string> entries;        ///< the raw log, only when asked for
};

/// A tally done and saved as the draft.
struct Tallied {
    storage::SignedResults results;
    CountedLog log;
    std::uint64_t tree_heads_checked = 0;
};

/// What publication makes public, rebuilt once from storage and then kept.
struct PublishedResults {
    storage::SignedResults results;
    boost::json::object document;
    voting::MerkleTree tree;
    voting::BallotIndex index_of_ballot;
    std::string export_json;  ///< GET /api/v1/ballots/export
    std::string csv;          ///< GET /api/v1/results.csv
};

class TallyService {
  public:
    /// `blocking_pool`: where allocation and signing run (budgetd keeps them off its I/O
    /// threads); null runs them inline (budgetctl).
    TallyService(storage::Stores& stores, const config::Config& config, const SigningKey& key,
                 const Clock& clock, boost::asio::thread_pool* blocking_pool = nullptr);

    /// Whether the vote is over at the clock's now: the tally's first condition.
    bool vote_closed() const;
    /// Records the close when due (see CampaignStore::close_when_due); vote_not_closed before.
    boost::asio::awaitable<TallyResult<void>> ensure_closed();

    /// Counts the closed log with `rule`, checks every shard's tree heads, signs the document
    /// and saves it as the draft (each tally replaces the previous one until publication).
    /// `keep_entries`: also return the raw log (budgetctl writes ballots.json from it).
    boost::asio::awaitable<TallyResult<Tallied>> tally(voting::Rule rule,
                                                       bool keep_entries = false);

    /// The closed campaign, counted (budgetctl's pabulib export): the vote must be over and the
    /// shard count the campaign's.
    boost::asio::awaitable<TallyResult<CountedLog>> read_closed(bool keep_entries);

    /// Makes the draft public, once.
    boost::asio::awaitable<storage::StoreResult<storage::PublishOutcome>> publish();

    /// The published state, null before publication; built from storage once, then kept.
    boost::asio::awaitable<storage::StoreResult<std::shared_ptr<const PublishedResults>>>
    published();

  private:
    /// The shard check, the sealed ballot and every shard's log (no phase check).
    boost::asio::awaitable<TallyResult<CountedLog>> read_log(bool keep_entries);
    /// Streams every shard's log into `counted`, page by page.
    boost::asio::awaitable<TallyResult<void>> count_log(CountedLog& counted, bool keep_entries);
    /// Every shard's stored tree heads checked against the counted log.
    boost::asio::awaitable<TallyResult<std::uint64_t>> check_heads(const CountedLog& counted);
    /// Allocation and signature, on the blocking pool when there is one.
    boost::asio::awaitable<TallyResult<storage::SignedResults>> sign(const CountedLog& counted,
                                                                     voting::Rule rule,
                                                                     std::uint64_t heads_checked);

    storage::Stores& stores_;
    const config::Config& config_;
    const SigningKey& key_;
    const Clock& clock_;
    boost::asio::thread_pool* blocking_pool_;
    std::mutex mutex_;
    std::shared_ptr<const PublishedResults> published_;
};

}  // namespace budget::server::api
