#include "voting/counts.hpp"

#include <catch2/catch.hpp>
#include <vector>

using budget::voting::ApprovalBallot;
using budget::voting::BallotError;
using budget::voting::count_approvals;

TEST_CASE("approvals are counted per initiative", "[voting][counts]") {
    const std::vector<ApprovalBallot> ballots = {{0, 2}, {2}, {}, {1, 2, 0}};
    const auto counts = count_approvals(4, ballots);
    REQUIRE(counts.has_value());
    CHECK(*counts == std::vector<std::uint64_t>{2, 1, 3, 0});
}

TEST_CASE("no ballots count zero for every initiative", "[voting][counts]") {
    const auto counts = count_approvals(3, {});
    REQUIRE(counts.has_value());
    CHECK(*counts == std::vector<std::uint64_t>{0, 0, 0});
}

TEST_CASE("a ballot naming an unknown initiative is refused with its position",
          "[voting][counts]") {
    const std::vector<ApprovalBallot> ballots = {{0}, {1, 3}};
    const auto counts = count_approvals(3, ballots);
    REQUIRE_FALSE(counts.has_value());
    CHECK(counts.error().error == BallotError::unknown_project);
    CHECK(counts.error().ballot_index == 1);
    CHECK_THROWS_AS(counts.value(), std::invalid_argument);
}

TEST_CASE("a ballot naming an initiative twice is refused", "[voting][counts]") {
    const std::vector<ApprovalBallot> ballots = {{0, 1}, {2}, {1, 0, 1}};
    const auto counts = count_approvals(3, ballots);
    REQUIRE_FALSE(counts.has_value());
    CHECK(counts.error().error == BallotError::duplicate_choice);
    CHECK(counts.error().ballot_index == 2);
}
