#pragma once
// Counting approval ballots per initiative.

#include <boost/system/result.hpp>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace budget::voting {

/// One approval ballot: the indices (into the list of initiatives) of the distinct initiatives a
/// voter approves. May be empty.
using ApprovalBallot = std::vector<std::size_t>;

/// Why a list of ballots cannot be counted.
enum class BallotError {
    unknown_project = 1,  ///< an index is not below the number of initiatives
    duplicate_choice,     ///< a ballot names the same initiative twice
};

/// A ballot that cannot be counted, and where it is.
struct InvalidBallot {
    BallotError error;
    std::size_t ballot_index;  ///< position of the ballot in the list
};

/// Short English description of a ballot error.
const char* describe(BallotError error);

/// Lets boost::system::result<T, InvalidBallot>::value() throw std::invalid_argument.
[[noreturn]] void throw_exception_from_error(const InvalidBallot& error,
                                             const boost::source_location& location);

/// Number of ballots approving each of `project_count` initiatives.
boost::system::result<std::vector<std::uint64_t>, InvalidBallot> count_approvals(
    std::size_t project_count, std::span<const ApprovalBallot> ballots);

}  // namespace budget::voting
