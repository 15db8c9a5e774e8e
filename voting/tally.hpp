#pragma once
// Counting the ballot log: each ballot's canonical bytes become a leaf of the RFC 6962 tree and
// an approval ballot for the allocation rules; nothing else is kept.

#include <boost/system/result.hpp>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "voting/counts.hpp"
#include "voting/merkle.hpp"

namespace budget::voting {

enum class TallyError {
    not_canonical = 1,   ///< an entry is not the canonical form of a ballot
    unknown_initiative,  ///< a ballot names an initiative that is not on the ballot
    duplicate_ballot_id,
};

struct TallyProblem {
    TallyError error;
    std::uint64_t index;  ///< position in the log
    std::string detail;
};

std::string describe(const TallyProblem& problem);

/// Leaf index of each ballot id. Ids as budgetd makes them (32 lower-case hexadecimal digits) are
/// kept as their 16 bytes, in log order, with an open-addressing table of 8-byte slots over them
/// (about 27 bytes a ballot, where a map of strings takes over 100, and a table small enough to
/// stay mostly in the caches); any other id, which only a hand-made log holds, in a map beside.
class BallotIndex {
  public:
    /// A ballot id of 32 lower-case hexadecimal digits, as two words.
    struct HexId {
        std::uint64_t high = 0, low = 0;
        bool operator==(const HexId&) const = default;
    };
    /// The id as a HexId; nullopt for any other text (upper case included: it names another id).
    static std::optional<HexId> hex_id(std::string_view ballot_id);

    /// The leaf index of the ballot `ballot_id`, if the log holds it.
    std::optional<std::uint64_t> find(std::string_view ballot_id) const;
    /// The leaf index of `ballot_id`; throws std::out_of_range if the log does not hold it.
    std::uint64_t at(std::string_view ballot_id) const;
    std::size_t count(std::string_view ballot_id) const { return find(ballot_id) ? 1 : 0; }
    std::uint64_t size() const { return in_table_ + other_ids_.size(); }

    /// Records `ballot_id` at `index`, false (changing nothing) if it is already there. Ballots
    /// are recorded in log order: `index` above every index recorded before.
    bool insert(std::string_view ballot_id, std::uint64_t index);
    bool insert(const HexId& ballot_id, std::uint64_t index);
    /// Where the search for `ballot_id` starts, null while the table is empty: to prefetch it
    /// while other entries are counted, the table being larger than the caches.
    const void* first_slot(const HexId& ballot_id) const;

  private:
    std::uint32_t fingerprint(const HexId& id) const;
    std::optional<std::uint64_t> find_in_table(const HexId& id, std::uint32_t print) const;
    void grow();

    /// (fingerprint << 32) | (index + 1), 0 when empty; a power of two, at most 3/4 full. The
    /// fingerprint's low bits are the slot: growing needs no id read back.
    std::vector<std::uint64_t> slots_;
    std::deque<HexId> ids_;  ///< ids_[index] for the ids in the table, zero elsewhere
    std::uint64_t in_table_ = 0;
    std::unordered_map<std::string, std::uint64_t> other_ids_;
    std::uint64_t seed_ = 0;  ///< drawn once: a log made to collide cannot slow the count
};

class TallyBuilder {
  public:
    /// `initiative_ids`: the ballot's initiatives; their order is the order of `votes()`.
    explicit TallyBuilder(std::vector<std::string> initiative_ids);

    /// Adds the next ballot of the log.
    boost::system::result<void, TallyProblem> add(std::string_view canonical_ballot);
    /// Adds the next ballots of the log, as many calls to add() would: on a problem, the
    /// entries before it are counted and the problem is returned. Leaves are hashed on
    /// `threads()` threads while the entries are parsed in order.
    boost::system::result<void, TallyProblem> add_page(std::span<const std::string> entries);

    /// Threads add_page hashes on (default_hash_threads() unless set).
    unsigned threads() const { return threads_; }
    void set_threads(unsigned threads) { threads_ = threads < 1 ? 1 : threads; }

    std::uint64_t size() const { return tree_.size(); }
    const MerkleTree& tree() const { return tree_; }
    MerkleTree take_tree() { return std::move(tree_); }
    const std::vector<std::uint64_t>& votes() const { return votes_; }
    const std::vector<ApprovalBallot>& ballots() const { return ballots_; }
    const std::vector<std::string>& initiative_ids() const { return ids_; }
    /// Leaf index of each ballot id (to answer receipts with inclusion proofs).
    const BallotIndex& index_of_ballot() const { return index_; }
    BallotIndex take_index_of_ballot() { return std::move(index_); }

  private:
    /// Counts a ballot in the form budgetd writes (hexadecimal id, plain ASCII initiative ids);
    /// nullopt when the entry is anything else, for count() to decide.
    /// `decoded`, when given, is BallotIndex::hex_id of where the id would be (add_page decodes
    /// it ahead, to prefetch its slot).
    std::optional<boost::system::result<void, TallyProblem>> count_usual(
        std::string_view entry, std::uint64_t index,
        const std::optional<BallotIndex::HexId>* decoded);
    /// Parses and counts one entry, but does not hash it.
    boost::system::result<void, TallyProblem> count(
        std::string_view canonical_ballot, std::uint64_t index,
        const std::optional<BallotIndex::HexId>* decoded = nullptr);
    /// Position of an initiative id in ids_, or ids_.size().
    std::size_t position(std::string_view id) const;

    std::vector<std::string> ids_;
    /// Open addressing over ids_: position + 1, 0 when empty (a few dozen initiatives).
    std::vector<std::uint32_t> positions_;
    /// Per initiative: its rank in byte order (equal ids, equal ranks) and whether its id is
    /// plain ASCII (canonical_ballot writes it as it is).
    std::vector<std::uint32_t> rank_;
    std::vector<bool> plain_;
    MerkleTree tree_;
    std::vector<std::uint64_t> votes_;
    std::vector<ApprovalBallot> ballots_;
    BallotIndex index_;
    unsigned threads_;
    std::vector<std::string_view> choices_;  ///< the fast parser's, reused
    std::vector<std::size_t> approvals_;     ///< count_usual's, reused
    std::vector<Hash> page_leaves_;          ///< add_page's, reused
};

}  // namespace budget::voting

namespace budget::voting {
[[noreturn]] void throw_exception_from_error(const TallyProblem& e,
                                             const boost::source_location& loc);
}
