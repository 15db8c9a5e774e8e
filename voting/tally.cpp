#include "voting/tally.hpp"

#include <stdexcept>

#include "voting/ballot.hpp"

namespace budget::voting {

void throw_exception_from_error(const TallyProblem& e, const boost::source_location&) {
    throw std::runtime_error(describe(e));
}

std::string describe(const TallyProblem& p) {
    const auto where = "ballot #" + std::to_string(p.index) + " of the log";
    switch (p.error) {
        case TallyError::not_canonical:
            return where + " is not a canonical ballot";
        case TallyError::unknown_initiative:
            return where + " names an initiative not on the ballot: " + p.detail;
        case TallyError::duplicate_ballot_id:
            return where + " repeats the ballot id " + p.detail;
    }
    return where + " is invalid";
}

TallyBuilder::TallyBuilder(std::vector<std::string> initiative_ids)
    : ids_(std::move(initiative_ids)), votes_(ids_.size(), 0) {
    for (std::size_t i = 0; i < ids_.size(); ++i) position_.emplace(ids_[i], i);
}

boost::system::result<void, TallyProblem> TallyBuilder::add(std::string_view canonical_ballot) {
    const auto index = tree_.size();
    auto ballot = parse_canonical_ballot(canonical_ballot);
    if (!ballot) return TallyProblem{TallyError::not_canonical, index, ""};
    ApprovalBallot approvals;
    approvals.reserve(ballot->choices.size());
    for (const auto& choice : ballot->choices) {
        const auto it = position_.find(choice);
        if (it == position_.end())
            return TallyProblem{TallyError::unknown_initiative, index, choice};
        approvals.push_back(it->second);
    }
    if (!index_.emplace(ballot->ballot_id, index).second)
        return TallyProblem{TallyError::duplicate_ballot_id, index, ballot->ballot_id};
    for (const auto p : approvals) ++votes_[p];
    ballots_.push_back(std::move(approvals));
    tree_.append(leaf_hash(canonical_ballot));
    return {};
}

}  // namespace budget::voting
