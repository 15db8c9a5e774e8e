#pragma once
// A resident's ballot: validation of the choices against the sealed ballot, and its canonical
// bytes, which are hashed into the Merkle log (the receipt carries that leaf hash).

#include <boost/system/result.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace budget::voting {

enum class ChoiceError {
    empty = 1,      ///< no choice at all
    too_many,       ///< more than max_choices
    duplicate,      ///< the same initiative twice
    not_on_ballot,  ///< unknown or unlabelled initiative
};

struct ChoiceProblem {
    ChoiceError error;
    std::string initiative;  ///< the offending id, when there is one
};

/// Validates the choices: 1..max_choices distinct ids, each on the ballot. Returns them sorted.
boost::system::result<std::vector<std::string>, ChoiceProblem> validate_choices(
    const std::vector<std::string>& choices, int max_choices,
    const std::function<bool(std::string_view)>& on_ballot);

/// Canonical bytes of a ballot: `{"ballot_id":"...","choices":["a","b"]}` with sorted choices,
/// no whitespace. No voter identifier and no time: nothing in it points to a person.
std::string canonical_ballot(std::string_view ballot_id,
                             const std::vector<std::string>& sorted_choices);

/// A ballot read back from its canonical bytes (for the tally and for verification).
struct StoredBallot {
    std::string ballot_id;
    std::vector<std::string> choices;
};
/// Parses canonical bytes; fails on anything that canonical_ballot would not produce.
boost::system::result<StoredBallot> parse_canonical_ballot(std::string_view bytes);

}  // namespace budget::voting

namespace budget::voting {
[[noreturn]] void throw_exception_from_error(const ChoiceProblem& e,
                                             const boost::source_location& loc);
}
