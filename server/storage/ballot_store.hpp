#pragma once
// The ballot box: one Lua script per ballot accepts it or refuses a second one from the same
// person (any of their claim keys already marked), atomically, in the person's shard; then what the
// tally, the log and the Mission's statistics read back (log pages, receipts, participation
// counters).
//
// Keys (keys.hpp), all in shard k's slot:
//   ...:b<k>}:voted:<identity>   "<method> <day>" ("email 2026-09-14"): this identity (primary
//                                claim) has voted, how it signed in, the Paris day (never the
//                                ballot, never an instant); "1" in markers written before
//                                issue 18
//   ...:b<k>}:claims             set: every claim key of the shard's ballots
//   ...:b<k>}:log                list: canonical ballots, in the order accepted
//   ...:b<k>}:receipts           hash: ballot id -> index in the shard's log
//   ...:b<k>}:stats              hash: total, day:<YYYY-MM-DD>, territory:<id>
//   ...:b<k>}:retry:<hash>       the choices' hash and the receipt of a request sent with an
//                                Idempotency-Key (a day)
// and budget:{c<id>}:ballot_shards, the shard count fixed by the first ballot.

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "server/redis/client.hpp"
#include "server/storage/store_result.hpp"

namespace budget::server::storage {

/// How the person who cast a ballot had signed in: what the voted marker records beside the day.
/// `unknown` for a session issued before the method was sealed in its token.
enum class VoteMethod { unknown, email, franceconnect };

/// The word the voted marker holds ("email", "franceconnect", "unknown").
std::string_view to_string(VoteMethod method);

/// What a voted marker's value says. Every value counts as voted, whatever it holds.
struct VotedMarker {
    /// False for "1" (written before issue 18) or a value this version cannot read: voted,
    /// the day and the method not recorded.
    bool recorded = false;
    VoteMethod method = VoteMethod::unknown;
    std::string day;  ///< YYYY-MM-DD in Paris when recorded; "" otherwise
};

/// Reads a voted marker's value: "<method> <YYYY-MM-DD>" (the cast script writes it), or "1".
VotedMarker parse_voted_marker(std::string_view value);

/// What the engine holds about one identity's vote (BallotStore::voted_record).
struct VotedRecord {
    enum class State {
        not_voted,          ///< no marker for this primary, none of its claims in the shard's set
        voted,              ///< this primary's marker: `marker` says what it recorded
        other_declaration,  ///< no marker for this primary, but one of the claims is in the
                            ///< shard's set: the same person voted declared another way (the
                            ///< day and the method are those of another marker, not known here)
    };
    State state = State::not_voted;
    VotedMarker marker;  ///< with `voted`
};

/// A ballot ready to be cast, as the API prepared it.
struct CastRequest {
    std::string identity_key;  ///< hex primary claim of the person: decides the shard
    /// Every claim of the person, primary first, all in the primary's shard
    /// (api::IdentityKeys); empty: {identity_key}.
    std::vector<std::string> claims;
    std::string territory;
    std::string ballot_id;
    std::string canonical;  ///< the canonical ballot bytes appended to the log
    std::string day;        ///< civil day in Paris, YYYY-MM-DD, for the statistics and marker
    VoteMethod method = VoteMethod::unknown;  ///< how the person signed in: into the marker
    /// With an Idempotency-Key: the keyed hash that binds it to the identity, the receipt to
    /// give back if the same request is sent again, and the keyed hash of the choices (32 hex)
    /// that tells a retry from the key reused for other choices. Empty without one.
    std::string retry_hash;
    std::string receipt;
    std::string choices_hash;
};

enum class CastStatus {
    recorded,                ///< stored now
    replayed,                ///< the same request was stored earlier: its receipt comes back
    already_voted,           ///< this identity has a ballot already: nothing stored
    idempotency_key_reused,  ///< the Idempotency-Key came with other choices: nothing stored
    vote_closed,      ///< the close is recorded (whatever this process's clock): nothing stored
    not_stored,       ///< Redis unavailable or refused: nothing stored
    outcome_unknown,  ///< sent, but no confirmation (lost answer, replicas short): maybe stored
};

struct CastOutcome {
    CastStatus status = CastStatus::not_stored;
    std::string replayed_receipt;  ///< with `replayed`
};

/// What one shard holds, for the load generator's outcome checks.
struct ShardLedger {
    long long log_length = 0;
    long long voted_markers = 0;
    long long stats_total = 0;
};

/// Where a ballot sits in the log.
struct ReceiptLocation {
    int shard = 0;
    std::uint64_t index = 0;
};

class BallotStore {
  public:
    BallotStore(redis::Client& redis, const config::Config& config);

    /// Casts a ballot (then, with [redis] wait_replicas, WAITs on the same connection).
    boost::asio::awaitable<CastOutcome> cast(CastRequest request);

    /// Whether this process's shard count is the campaign's (fixed by the first ballot): a
    /// process configured with another would look for a voter's marker in the wrong shard.
    /// True once agreed (then answered from memory), false on a mismatch (logged),
    /// unavailable when Redis cannot tell.
    bool shards_agreed() const { return shards_agreed_.load(std::memory_order_relaxed); }
    boost::asio::awaitable<StoreResult<bool>> agree_shards();
    /// The shard count the first ballot fixed, if any ballot was cast.
    boost::asio::awaitable<StoreResult<std::optional<int>>> campaign_shards();

    /// Whether every master persists each write before answering (AOF with fsync always), as a
    /// production vote requires; always true outside production or with WAIT replicas.
    /// known_durable() answers from memory when it can (almost always), so that the ballot path
    /// awaits check_durable() only to refresh it every few seconds.
    std::optional<bool> known_durable(std::int64_t now) const;
    boost::asio::awaitable<bool> check_durable(std::int64_t now);

    /// `count` entries of shard `shard`'s log from `start` (fewer at its end).
    boost::asio::awaitable<StoreResult<std::vector<std::string>>> log_page(int shard,
                                                                           std::uint64_t start,
                                                                           std::uint64_t count);
    /// Where a ballot id sits, looking through the shards; std::nullopt when unknown.
    boost::asio::awaitable<StoreResult<std::optional<ReceiptLocation>>> find_receipt(
        std::string ballot_id);
    /// Whether this person has a ballot already (their primary's voted marker, or any of their
    /// claims, in their shard; `claims` primary first): what the resident is told as soon as
    /// their identity is known, before any choice is offered.
    boost::asio::awaitable<StoreResult<bool>> has_voted(std::vector<std::string> claims);
    /// What the engine holds about this person's vote (`claims` primary first; the primary
    /// alone when the others are not known, as from an e-mail binding): their primary's
    /// marker and what it recorded, else whether any claim is in the shard's claims set.
    /// Never the ballot: nothing links it to the person.
    boost::asio::awaitable<StoreResult<VotedRecord>> voted_record(std::vector<std::string> claims);
    /// Participation counters summed over the shards: "total", "day:<date>", "territory:<id>".
    boost::asio::awaitable<StoreResult<std::map<std::string, long long>>> participation();

    /// Counts a shard's log, voted markers and participation total, on the node serving it.
    /// Scans the node's keys: for checks after a load run, never on the vote's path.
    boost::asio::awaitable<StoreResult<ShardLedger>> ledger(int shard);

    int shards() const { return shards_; }

    /// The cast script's source (the ballot benchmark runs it with redis-benchmark as the
    /// ceiling of the ballot path).
    static std::string_view cast_script_source();

  private:
    static CastOutcome outcome_of(const redis::Result& reply);
    static boost::asio::awaitable<CastOutcome> settle_cast(
        boost::asio::awaitable<redis::Result> sent);
    static boost::asio::awaitable<CastOutcome> settle_replicated_cast(
        boost::asio::awaitable<std::pair<redis::Result, redis::Result>> sent, int replicas);

    redis::Client& redis_;
    std::string campaign_;
    int shards_;
    int wait_replicas_;
    std::chrono::milliseconds wait_timeout_;
    bool production_;
    redis::Script cast_script_, agree_shards_script_, ledger_script_, has_voted_script_,
        voted_record_script_;
    std::atomic<bool> shards_agreed_{false};
    std::atomic<std::int64_t> durability_checked_at_{0};
    std::atomic<bool> durable_{false};
};

}  // namespace budget::server::storage
