#include "voting/phase.hpp"

#include <catch2/catch.hpp>

using namespace budget::voting;

namespace {
// 1 to 30 September 2026, Paris time: 2026-09-01T00:00:00+02:00 .. 2026-09-30T23:59:59+02:00.
constexpr VoteWindow kWindow{1788213600, 1790805599};
}  // namespace

TEST_CASE("before the opening the campaign is labelling, from its first second it is voting",
          "[phase]") {
    CHECK(phase_at(kWindow, kWindow.opens - 86400) == Phase::labelling);
    CHECK(phase_at(kWindow, kWindow.opens - 1) == Phase::labelling);
    CHECK(phase_at(kWindow, kWindow.opens) == Phase::voting);
    CHECK_FALSE(vote_has_opened(kWindow, kWindow.opens - 1));
    CHECK(vote_has_opened(kWindow, kWindow.opens));
}

TEST_CASE("the closing second still belongs to the vote, the next one does not", "[phase]") {
    CHECK(phase_at(kWindow, kWindow.closes - 1) == Phase::voting);
    CHECK(phase_at(kWindow, kWindow.closes) == Phase::voting);
    CHECK(phase_at(kWindow, kWindow.closes + 1) == Phase::closed);
    CHECK(vote_has_opened(kWindow, kWindow.closes + 1));
}

TEST_CASE("recorded publication wins over the clock", "[phase]") {
    const RecordedPhase published{.closed = true, .published = true};
    SECTION("after the close") {
        CHECK(phase_at(kWindow, kWindow.closes + 3600, published) == Phase::published);
    }
    SECTION("even with a clock set back into the vote") {
        CHECK(phase_at(kWindow, kWindow.opens + 10, published) == Phase::published);
    }
    CHECK(phase_at(kWindow, kWindow.closes + 3600, RecordedPhase{}) == Phase::closed);
    // A recorded close wins over a clock still in the vote.
    CHECK(phase_at(kWindow, kWindow.opens + 10, RecordedPhase{.closed = true}) == Phase::closed);
}

TEST_CASE("phases are named as the API names them", "[phase]") {
    CHECK(to_string(Phase::labelling) == "labelling");
    CHECK(to_string(Phase::voting) == "voting");
    CHECK(to_string(Phase::closed) == "closed");
    CHECK(to_string(Phase::published) == "published");
}
