#include "voting/phase.hpp"

namespace budget::voting {

Phase phase_at(const VoteWindow& window, std::int64_t now, RecordedPhase recorded) {
    if (recorded.published) return Phase::published;
    if (recorded.closed) return Phase::closed;
    if (now < window.opens) return Phase::labelling;
    if (now <= window.closes) return Phase::voting;
    return Phase::closed;
}

bool vote_has_opened(const VoteWindow& window, std::int64_t now) { return now >= window.opens; }

std::string_view to_string(Phase phase) {
    switch (phase) {
        case Phase::labelling:
            return "labelling";
        case Phase::voting:
            return "voting";
        case Phase::closed:
            return "closed";
        case Phase::published:
            return "published";
    }
    return "closed";
}

}  // namespace budget::voting
