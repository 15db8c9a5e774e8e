#include "labelling/review.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "test_questionnaire.hpp"

namespace lab = budget::labelling;
using lab::testing::small_questionnaire;

namespace {

/// One reviewer's answers, all at the top of their scale for marker a (`a_top`) and marker b
/// (`b_top`), at the bottom otherwise.
lab::ReviewerEvaluation evaluation(const std::string& username, bool a_top, bool b_top) {
    lab::Answers answers{{"a1", a_top ? 4 : 0}, {"a2", a_top ? 4 : 0}, {"a3", a_top ? 5 : 1},
                         {"b1", b_top ? 2 : 0}, {"b2", b_top ? 2 : 0}, {"b3", b_top ? 2 : 0}};
    return {username, std::move(answers), "2026-06-01T10:00:00.000Z"};
}

lab::ReviewerEvaluation full_marks(const std::string& username) {
    return evaluation(username, true, true);
}

lab::ReviewerEvaluation lowest(const std::string& username) {
    return evaluation(username, false, false);
}

}  // namespace

TEST_CASE("the committee's score is the median of its reviewers, so one outlier does not swing it",
          "[labelling][review]") {
    const auto q = small_questionnaire();
    const std::vector<lab::ReviewerEvaluation> evaluations{full_marks("alice"), full_marks("bob"),
                                                           lowest("carol")};

    const auto review = lab::review_initiative(q, evaluations);

    CHECK(review.reviewers == 3);
    CHECK(review.stale_evaluations == 0);
    CHECK(review.aggregate == lab::MarkerScores{{"a", 100}, {"b", 100}});
    CHECK(review.reviewer_scores.at("carol") == lab::MarkerScores{{"a", 0}, {"b", 0}});
    CHECK(review.reviewer_scores.size() == 3);
    CHECK(review.gate.passes);
    CHECK(review.gate.failures.empty());
    CHECK(review.proposal.has_value());
}

TEST_CASE("with two reviewers the median is their mean, and the gate is checked on it",
          "[labelling][review]") {
    const auto q = small_questionnaire();  // gate: 2 reviewers, 40 per marker, 50 overall

    const auto review = lab::review_initiative(q, {full_marks("alice"), lowest("bob")});

    CHECK(review.aggregate == lab::MarkerScores{{"a", 50}, {"b", 50}});
    CHECK(review.gate.overall_score == 50);
    CHECK(review.gate.passes);
}

TEST_CASE("one weak evaluation fails the gate with a reason for every unmet condition",
          "[labelling][review]") {
    const auto q = small_questionnaire();

    const auto review = lab::review_initiative(q, {lowest("alice")});

    CHECK(review.reviewers == 1);
    CHECK_FALSE(review.gate.passes);
    // Too few reviewers, marker a, marker b, the overall score.
    CHECK(review.gate.failures.size() == 4);
}

TEST_CASE("an evaluation that no longer fits the questionnaire is counted as stale, not used",
          "[labelling][review]") {
    const auto q = small_questionnaire();
    auto partial = full_marks("bob");
    partial.answers.erase("b3");

    SECTION("alone, it leaves the initiative without reviewers or proposal") {
        const auto review = lab::review_initiative(q, {partial});
        CHECK(review.reviewers == 0);
        CHECK(review.stale_evaluations == 1);
        CHECK(review.aggregate.empty());
        CHECK(review.reviewer_scores.empty());
        CHECK_FALSE(review.proposal);
    }
    SECTION("beside a valid one, only the valid one counts") {
        const auto review = lab::review_initiative(q, {lowest("alice"), partial});
        CHECK(review.reviewers == 1);
        CHECK(review.stale_evaluations == 1);
        CHECK(review.reviewer_scores.count("bob") == 0);
        CHECK(review.aggregate == lab::MarkerScores{{"a", 0}, {"b", 0}});
    }
}

TEST_CASE("without any evaluation there is no proposal and the gate fails", "[labelling][review]") {
    const auto q = small_questionnaire();

    const auto review = lab::review_initiative(q, {});

    CHECK(review.reviewers == 0);
    CHECK_FALSE(review.proposal);
    CHECK_FALSE(review.gate.passes);
    CHECK_FALSE(review.gate.failures.empty());
}

TEST_CASE("the proposed category is the one that weighs the committee's profile best",
          "[labelling][review]") {
    const auto q = small_questionnaire();  // first: a 50 b 50; second: a 80 b 20

    const auto strong_a = lab::review_initiative(
        q, {evaluation("alice", true, false), evaluation("bob", true, false)});
    const auto strong_b = lab::review_initiative(
        q, {evaluation("alice", false, true), evaluation("bob", false, true)});

    REQUIRE(strong_a.proposal);
    CHECK(strong_a.proposal->category_id == "second");
    CHECK(strong_a.proposal->score == 80);
    REQUIRE(strong_b.proposal);
    CHECK(strong_b.proposal->category_id == "first");
    CHECK(strong_b.proposal->score == 50);
}
