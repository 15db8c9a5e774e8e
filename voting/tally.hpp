#pragma once
// Counting the ballot log: each ballot's canonical bytes become a leaf of the RFC 6962 tree and
// an approval ballot for the allocation rules; nothing else is kept.

#include <boost/system/result.hpp>
#include <cstdint>
#include <map>
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

class TallyBuilder {
  public:
    /// `initiative_ids`: the ballot's initiatives; their order is the order of `votes()`.
    explicit TallyBuilder(std::vector<std::string> initiative_ids);

    /// Adds the next ballot of the log.
    boost::system::result<void, TallyProblem> add(std::string_view canonical_ballot);

    std::uint64_t size() const { return tree_.size(); }
    const MerkleTree& tree() const { return tree_; }
    MerkleTree take_tree() { return std::move(tree_); }
    const std::vector<std::uint64_t>& votes() const { return votes_; }
    const std::vector<ApprovalBallot>& ballots() const { return ballots_; }
    const std::vector<std::string>& initiative_ids() const { return ids_; }
    /// Leaf index of each ballot id (to answer receipts with inclusion proofs).
    const std::unordered_map<std::string, std::uint64_t>& index_of_ballot() const { return index_; }

  private:
    std::vector<std::string> ids_;
    std::map<std::string, std::size_t, std::less<>> position_;
    MerkleTree tree_;
    std::vector<std::uint64_t> votes_;
    std::vector<ApprovalBallot> ballots_;
    std::unordered_map<std::string, std::uint64_t> index_;
};

}  // namespace budget::voting

namespace budget::voting {
[[noreturn]] void throw_exception_from_error(const TallyProblem& e,
                                             const boost::source_location& loc);
}
