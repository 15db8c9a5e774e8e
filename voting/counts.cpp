#include "voting/counts.hpp"

#include <stdexcept>
#include <string>

namespace budget::voting {

const char* describe(BallotError error) {
    switch (error) {
        case BallotError::unknown_project:
            return "ballot names an unknown initiative";
        case BallotError::duplicate_choice:
            return "ballot names the same initiative twice";
    }
    return "invalid ballot";
}

void throw_exception_from_error(const InvalidBallot& error, const boost::source_location&) {
    throw std::invalid_argument("ballot " + std::to_string(error.ballot_index) + ": " +
                                describe(error.error));
}

boost::system::result<std::vector<std::uint64_t>, InvalidBallot> count_approvals(
    std::size_t project_count, std::span<const ApprovalBallot> ballots) {
    std::vector<std::uint64_t> counts(project_count, 0);
    // Remembers, per initiative, the last ballot that named it: duplicates are found in one pass
    // without sorting or allocating per ballot.
    std::vector<std::size_t> last_ballot(project_count, ballots.size());
    for (std::size_t b = 0; b < ballots.size(); ++b) {
        for (const std::size_t project : ballots[b]) {
            if (project >= project_count) return InvalidBallot{BallotError::unknown_project, b};
            if (last_ballot[project] == b) return InvalidBallot{BallotError::duplicate_choice, b};
            last_ballot[project] = b;
            ++counts[project];
        }
    }
    return counts;
}

}  // namespace budget::voting
