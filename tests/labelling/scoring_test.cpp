#include "labelling/scoring.hpp"

#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "labelling/questionnaire_toml.hpp"
#include "test_questionnaire.hpp"

namespace lab = budget::labelling;
using lab::testing::full_marks;
using lab::testing::small_questionnaire;

namespace {

lab::MarkerScores scores_of(const lab::Questionnaire& q, const lab::Evaluation& evaluation) {
    const auto result = lab::score_evaluation(q, evaluation);
    if (result.has_error()) {
        FAIL(result.error().problems.size()
             << " problems, the first on question " << result.error().problems.front().question_id);
    }
    return *result;
}

using Kind = lab::AnswerProblemKind;
using GateKind = lab::GateFailureKind;

/// A gate failure written out: kind, marker id and label, value, minimum.
lab::GateFailure failure(GateKind kind, int value, int minimum, std::string marker_id = {},
                         std::string marker_label = {}) {
    return {kind, std::move(marker_id), std::move(marker_label), value, minimum};
}

}  // namespace

TEST_CASE("full marks score 100 and the lowest answers 0 on every marker", "[labelling][scoring]") {
    const auto q = small_questionnaire();
    CHECK(scores_of(q, full_marks()) == lab::MarkerScores{{"a", 100}, {"b", 100}});
    const lab::Evaluation lowest{
        {{"a1", 0}, {"a2", 0}, {"a3", 1}, {"b1", 0}, {"b2", 0}, {"b3", 0}}};
    CHECK(scores_of(q, lowest) == lab::MarkerScores{{"a", 0}, {"b", 0}});
}

TEST_CASE("answers are normalised to their own scale and weighted within their marker",
          "[labelling][scoring]") {
    const auto q = small_questionnaire();
    auto evaluation = full_marks();
    SECTION("a weight-1 question alone at the top gives a fifth of marker a") {
        evaluation.answers["a1"] = 4;
        evaluation.answers["a2"] = 0;
        evaluation.answers["a3"] = 1;  // the bottom of the 1..5 scale counts as nothing
        CHECK(scores_of(q, evaluation).at("a") == 20);
    }
    SECTION("the weight-3 question alone at the top gives three fifths") {
        evaluation.answers["a1"] = 0;
        evaluation.answers["a2"] = 4;
        evaluation.answers["a3"] = 1;
        CHECK(scores_of(q, evaluation).at("a") == 60);
    }
    SECTION("the middle of every scale gives 50") {
        evaluation.answers["a1"] = 2;
        evaluation.answers["a2"] = 2;
        evaluation.answers["a3"] = 3;
        CHECK(scores_of(q, evaluation).at("a") == 50);
    }
    SECTION("thirds are rounded to the nearest integer") {
        evaluation.answers["b1"] = 1;
        evaluation.answers["b2"] = 0;
        evaluation.answers["b3"] = 0;
        CHECK(scores_of(q, evaluation).at("b") == 17);  // 16.67
        evaluation.answers["b1"] = 2;
        evaluation.answers["b2"] = 2;
        evaluation.answers["b3"] = 1;
        CHECK(scores_of(q, evaluation).at("b") == 83);  // 83.33
    }
}

TEST_CASE("an exact half is rounded up", "[labelling][scoring]") {
    lab::Questionnaire q;
    q.markers = {{"m", "M", {{"x", "X ?", {0, 4}, 1}, {"y", "Y ?", {0, 4}, 1}}}};
    CHECK(scores_of(q, {{{"x", 1}, {"y", 0}}}).at("m") == 13);  // 12.5
    CHECK(scores_of(q, {{{"x", 2}, {"y", 1}}}).at("m") == 38);  // 37.5
}

TEST_CASE("missing answers are reported by question id, and no score is given",
          "[labelling][scoring]") {
    const auto q = small_questionnaire();
    auto evaluation = full_marks();
    evaluation.answers.erase("a2");
    evaluation.answers.erase("b3");
    const auto result = lab::score_evaluation(q, evaluation);
    REQUIRE(result.has_error());
    const auto problems = result.error().problems;
    REQUIRE(problems.size() == 2);
    CHECK(problems[0].kind == lab::AnswerProblemKind::missing);
    CHECK(problems[0].question_id == "a2");
    CHECK(problems[1].kind == lab::AnswerProblemKind::missing);
    CHECK(problems[1].question_id == "b3");
}

TEST_CASE("an empty evaluation misses every question", "[labelling][scoring]") {
    const auto result = lab::score_evaluation(small_questionnaire(), {});
    REQUIRE(result.has_error());
    CHECK(result.error().problems.size() == 6);
}

TEST_CASE("an answer to a question that does not exist is reported", "[labelling][scoring]") {
    auto evaluation = full_marks();
    evaluation.answers["z9"] = 2;
    const auto result = lab::score_evaluation(small_questionnaire(), evaluation);
    REQUIRE(result.has_error());
    REQUIRE(result.error().problems.size() == 1);
    const auto problem = result.error().problems[0];
    CHECK(problem.kind == lab::AnswerProblemKind::unknown_question);
    CHECK(problem.question_id == "z9");
    CHECK(problem.value == 2);
}

TEST_CASE("an answer outside its scale is reported with the scale", "[labelling][scoring]") {
    auto evaluation = full_marks();
    SECTION("below the minimum of a 1..5 scale") {
        evaluation.answers["a3"] = 0;
        const auto result = lab::score_evaluation(small_questionnaire(), evaluation);
        REQUIRE(result.has_error());
        REQUIRE(result.error().problems.size() == 1);
        const auto problem = result.error().problems[0];
        CHECK(problem.kind == lab::AnswerProblemKind::out_of_range);
        CHECK(problem.value == 0);
        CHECK(problem.scale.min == 1);
        CHECK(problem.scale.max == 5);
    }
    SECTION("above the maximum") {
        evaluation.answers["b1"] = 3;
        const auto result = lab::score_evaluation(small_questionnaire(), evaluation);
        REQUIRE(result.has_error());
        REQUIRE(result.error().problems.size() == 1);
        const auto problem = result.error().problems[0];
        CHECK(problem.kind == lab::AnswerProblemKind::out_of_range);
        CHECK(problem.question_id == "b1");
        CHECK(problem.value == 3);
        CHECK(problem.scale.min == 0);
        CHECK(problem.scale.max == 2);
    }
    SECTION("the bounds themselves are accepted") {
        evaluation.answers["a3"] = 1;
        evaluation.answers["b1"] = 2;
        CHECK(lab::score_evaluation(small_questionnaire(), evaluation).has_value());
    }
}

TEST_CASE("every problem is reported at once: missing, then unknown, then out of range",
          "[labelling][scoring]") {
    lab::Evaluation evaluation{
        {{"a1", 9}, {"a2", 4}, {"zz", 1}, {"b1", -1}, {"b2", 0}, {"b3", 0}, {"aa", 0}}};
    const auto result = lab::score_evaluation(small_questionnaire(), evaluation);
    REQUIRE(result.has_error());
    std::vector<std::pair<Kind, std::string>> seen;
    for (const auto& problem : result.error().problems) {
        seen.emplace_back(problem.kind, problem.question_id);
    }
    CHECK(seen == std::vector<std::pair<Kind, std::string>>{{Kind::missing, "a3"},
                                                            {Kind::unknown_question, "aa"},
                                                            {Kind::unknown_question, "zz"},
                                                            {Kind::out_of_range, "a1"},
                                                            {Kind::out_of_range, "b1"}});
    CHECK(result.error().problems[3].value == 9);
    CHECK(result.error().problems[4].value == -1);
    CHECK_THROWS_WITH(result.value(),
                      "the evaluation does not score: missing a3; unknown aa; unknown zz; out of "
                      "range a1; out of range b1");
}

TEST_CASE("one reviewer's scores are the aggregate", "[labelling][scoring]") {
    const lab::MarkerScores one{{"a", 72}, {"b", 31}};
    CHECK(lab::aggregate({one}) == one);
}

TEST_CASE("no reviewer gives no aggregate", "[labelling][scoring]") {
    CHECK(lab::aggregate({}).empty());
}

TEST_CASE("the median of an odd number of reviewers ignores an outlier", "[labelling][scoring]") {
    const auto result = lab::aggregate({{{"a", 80}}, {{"a", 5}}, {{"a", 82}}});
    CHECK(result.at("a") == 80);
    CHECK(
        lab::aggregate({{{"a", 80}}, {{"a", 100}}, {{"a", 82}}, {{"a", 81}}, {{"a", 0}}}).at("a") ==
        81);
}

TEST_CASE("with an even number of reviewers the two middle scores are averaged, halves up",
          "[labelling][scoring]") {
    CHECK(lab::aggregate({{{"a", 40}}, {{"a", 45}}}).at("a") == 43);  // 42.5
    CHECK(lab::aggregate({{{"a", 0}}, {{"a", 100}}}).at("a") == 50);
    // The outliers 10 and 90 do not move the result: (40 + 44) / 2.
    CHECK(lab::aggregate({{{"a", 90}}, {{"a", 40}}, {{"a", 10}}, {{"a", 44}}}).at("a") == 42);
}

TEST_CASE("the aggregate does not depend on the order of reviewers", "[labelling][scoring]") {
    const lab::MarkerScores r1{{"a", 10}, {"b", 90}};
    const lab::MarkerScores r2{{"a", 50}, {"b", 20}};
    const lab::MarkerScores r3{{"a", 70}, {"b", 60}};
    const auto expected = lab::MarkerScores{{"a", 50}, {"b", 60}};
    CHECK(lab::aggregate({r1, r2, r3}) == expected);
    CHECK(lab::aggregate({r3, r1, r2}) == expected);
    CHECK(lab::aggregate({r2, r3, r1}) == expected);
}

TEST_CASE("a marker scored by some reviewers only is aggregated over those",
          "[labelling][scoring]") {
    const auto result = lab::aggregate({{{"a", 10}, {"b", 70}}, {{"a", 30}}, {{"a", 20}}});
    CHECK(result == lab::MarkerScores{{"a", 20}, {"b", 70}});
}

TEST_CASE("the overall score is the plain mean of the markers, halves up", "[labelling][scoring]") {
    const auto q = small_questionnaire();
    CHECK(lab::overall_score(q, {{"a", 50}, {"b", 45}}) == 48);  // 47.5
    CHECK(lab::overall_score(q, {{"a", 100}, {"b", 0}}) == 50);
    SECTION("a missing marker counts 0 and a stray id is ignored") {
        CHECK(lab::overall_score(q, {{"a", 80}, {"zz", 100}}) == 40);
    }
    SECTION("no marker at all gives 0") {
        CHECK(lab::overall_score(lab::Questionnaire{}, {}) == 0);
    }
}

TEST_CASE("the proposed category is the one that weighs the profile best", "[labelling][scoring]") {
    const auto q = small_questionnaire();  // first: a 50 b 50; second: a 80 b 20
    SECTION("strong on a") {
        const auto proposal = lab::propose_category(q, {{"a", 100}, {"b", 0}});
        CHECK(proposal.category_id == "second");
        CHECK(proposal.score == 80);
    }
    SECTION("strong on b") {
        const auto proposal = lab::propose_category(q, {{"a", 0}, {"b", 100}});
        CHECK(proposal.category_id == "first");
        CHECK(proposal.score == 50);
    }
    SECTION("categories are compared before rounding") {
        // first 50.5 and second 50.8 both round to 51, yet second is ahead.
        const auto proposal = lab::propose_category(q, {{"a", 51}, {"b", 50}});
        CHECK(proposal.category_id == "second");
        CHECK(proposal.score == 51);
        CHECK(lab::category_score(q.categories[0], {{"a", 51}, {"b", 50}}) == 51);
    }
}

TEST_CASE("a tie between categories goes to the one listed first in the configuration",
          "[labelling][scoring]") {
    auto q = small_questionnaire();
    const lab::MarkerScores flat{{"a", 60}, {"b", 60}};
    CHECK(lab::propose_category(q, flat).category_id == "first");
    std::swap(q.categories[0], q.categories[1]);
    CHECK(lab::propose_category(q, flat).category_id == "second");
    SECTION("even when every score is 0") {
        CHECK(lab::propose_category(q, {}).category_id == "second");
    }
}

TEST_CASE("without categories no category is proposed", "[labelling][scoring]") {
    auto q = small_questionnaire();
    q.categories.clear();
    const auto proposal = lab::propose_category(q, {{"a", 60}, {"b", 60}});
    CHECK(proposal.category_id.empty());
    CHECK(proposal.score == 0);
}

TEST_CASE("the gate passes when every condition holds, including exactly at the minimum",
          "[labelling][gate]") {
    const auto q = small_questionnaire();  // 2 reviewers, 40 per marker, 50 overall
    const auto verdict = lab::evaluate_gate(q, {{"a", 40}, {"b", 60}}, 2);
    CHECK(verdict.passes);
    CHECK(verdict.failures.empty());
    CHECK(verdict.overall_score == 50);
}

TEST_CASE("too few reviewers fails the gate with both counts", "[labelling][gate]") {
    auto q = small_questionnaire();
    const lab::MarkerScores good{{"a", 90}, {"b", 90}};
    SECTION("one") {
        const auto verdict = lab::evaluate_gate(q, good, 1);
        CHECK_FALSE(verdict.passes);
        CHECK(verdict.failures ==
              std::vector<lab::GateFailure>{failure(GateKind::too_few_reviewers, 1, 2)});
    }
    SECTION("several") {
        q.gate.min_reviewers = 3;
        CHECK(lab::evaluate_gate(q, good, 2).failures ==
              std::vector<lab::GateFailure>{failure(GateKind::too_few_reviewers, 2, 3)});
    }
    SECTION("none") {
        CHECK(lab::evaluate_gate(q, good, 0).failures ==
              std::vector<lab::GateFailure>{failure(GateKind::too_few_reviewers, 0, 2)});
    }
    SECTION("exactly the minimum is enough") { CHECK(lab::evaluate_gate(q, good, 2).passes); }
}

TEST_CASE("a marker below its minimum fails the gate, naming the marker and both numbers",
          "[labelling][gate]") {
    const auto verdict = lab::evaluate_gate(small_questionnaire(), {{"a", 32}, {"b", 90}}, 2);
    CHECK_FALSE(verdict.passes);
    CHECK(verdict.failures == std::vector<lab::GateFailure>{failure(GateKind::marker_below_minimum,
                                                                    32, 40, "a", "Marqueur A")});
}

TEST_CASE("a marker without score fails the gate", "[labelling][gate]") {
    const auto verdict = lab::evaluate_gate(small_questionnaire(), {{"a", 100}}, 2);
    CHECK_FALSE(verdict.passes);
    CHECK(verdict.failures == std::vector<lab::GateFailure>{
                                  failure(GateKind::marker_not_scored, 0, 40, "b", "Marqueur B")});
}

TEST_CASE("an overall score below its minimum fails the gate", "[labelling][gate]") {
    const auto verdict = lab::evaluate_gate(small_questionnaire(), {{"a", 45}, {"b", 45}}, 2);
    CHECK_FALSE(verdict.passes);
    CHECK(verdict.overall_score == 45);
    CHECK(verdict.failures ==
          std::vector<lab::GateFailure>{failure(GateKind::overall_below_minimum, 45, 50)});
}

TEST_CASE("every failed condition is listed, reviewers then markers then overall",
          "[labelling][gate]") {
    const auto verdict = lab::evaluate_gate(small_questionnaire(), {{"a", 10}}, 1);
    CHECK_FALSE(verdict.passes);
    CHECK(verdict.failures ==
          std::vector<lab::GateFailure>{
              failure(GateKind::too_few_reviewers, 1, 2),
              failure(GateKind::marker_below_minimum, 10, 40, "a", "Marqueur A"),
              failure(GateKind::marker_not_scored, 0, 40, "b", "Marqueur B"),
              failure(GateKind::overall_below_minimum, 5, 50)});
}

TEST_CASE("three reviewers on the shipped questionnaire: scores, median, category and gate",
          "[labelling][scoring]") {
    const auto loaded = lab::testing::load_shipped_questionnaire();
    REQUIRE(loaded.has_value());
    const lab::Questionnaire& q = *loaded;

    // Every question answered `value`, except the environmental ones answered `environment`.
    const auto evaluation = [&](int value, int environment) {
        lab::Evaluation e;
        for (const auto& marker : q.markers) {
            for (const auto& question : marker.questions) {
                e.answers[question.id] =
                    marker.id == "transition_environnementale" ? environment : value;
            }
        }
        return e;
    };
    std::vector<lab::MarkerScores> reviewers;
    for (const auto& e : {evaluation(3, 4), evaluation(3, 4), evaluation(0, 0)}) {
        reviewers.push_back(scores_of(q, e));
    }
    const auto aggregate = lab::aggregate(reviewers);
    CHECK(aggregate.at("gouvernance") == 75);
    CHECK(aggregate.at("transition_environnementale") == 100);
    CHECK(lab::propose_category(q, aggregate).category_id == "transformation");
    const auto verdict = lab::evaluate_gate(q, aggregate, static_cast<int>(reviewers.size()));
    CHECK(verdict.passes);
    CHECK(verdict.overall_score == 78);  // (7 x 75 + 100) / 8 = 78.125
}
