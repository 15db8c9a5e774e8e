#pragma once
// The campaign's phase at an instant: the one rule that says whether the labelling is still
// open, ballots are taken, or the vote is over. Every check against the calendar goes through
// phase_at, with the instant and the recorded state passed in: no clock is read here.

#include <cstdint>
#include <string_view>

namespace budget::voting {

enum class Phase {
    labelling,  ///< before the opening: the committee labels, nothing is sealed
    voting,     ///< from the opening to the close, both included: ballots are taken
    closed,     ///< after the close: no ballot, results not public yet
    published,  ///< results published
};

/// The vote's window, in seconds since the epoch; both ends belong to the vote.
struct VoteWindow {
    std::int64_t opens = 0;
    std::int64_t closes = 0;
};

/// What storage recorded about the campaign, whatever the clock says.
struct RecordedPhase {
    bool closed = false;  ///< the close was recorded (by the clock of one process, or early)
    bool published = false;
};

/// The phase at `now`: published, then closed, when recorded; else by the window.
Phase phase_at(const VoteWindow& window, std::int64_t now, RecordedPhase recorded = {});

/// Whether the vote has opened (the ballot is sealed and the labelling frozen) at `now`.
bool vote_has_opened(const VoteWindow& window, std::int64_t now);

/// "labelling", "voting", "closed" or "published", as the API names them.
std::string_view to_string(Phase phase);

}  // namespace budget::voting
