#include "labelling/questionnaire.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "test_questionnaire.hpp"

namespace lab = budget::labelling;
using lab::testing::small_questionnaire;

namespace {

// The issue at `path`, or a failed check listing every issue when there is none.
const lab::ConfigIssue& issue_at(const std::vector<lab::ConfigIssue>& issues,
                                 const std::string& path) {
    const auto found = std::find_if(issues.begin(), issues.end(),
                                    [&](const lab::ConfigIssue& i) { return i.path == path; });
    if (found == issues.end()) {
        std::string all;
        for (const auto& issue : issues) all += lab::to_string(issue) + "\n";
        FAIL("no issue at " << path << "; issues:\n" << all);
    }
    return *found;
}

}  // namespace

TEST_CASE("a well-formed questionnaire has no issue", "[labelling][questionnaire]") {
    const auto issues = lab::validate(small_questionnaire());
    CHECK(issues.empty());
    CHECK_FALSE(lab::has_errors(issues));
}

TEST_CASE("a category weighing an unknown marker is an error naming that marker",
          "[labelling][questionnaire]") {
    auto q = small_questionnaire();
    q.categories[0].marker_weights = {{"a", 50}, {"ghost", 50}};
    const auto issues = lab::validate(q);
    const auto& issue = issue_at(issues, "categories[first].weights.ghost");
    CHECK(issue.severity == lab::Severity::error);
    CHECK(issue.message == "unknown marker \"ghost\"");
    CHECK(issues.size() == 1);
}

TEST_CASE("category weights that do not sum to 100 are an error giving the actual sum",
          "[labelling][questionnaire]") {
    auto q = small_questionnaire();
    SECTION("too little") {
        q.categories[1].marker_weights = {{"a", 60}, {"b", 30}};
        CHECK(issue_at(lab::validate(q), "categories[second].weights").message ==
              "weights sum to 90, expected 100");
    }
    SECTION("too much") {
        q.categories[1].marker_weights = {{"a", 60}, {"b", 50}};
        CHECK(issue_at(lab::validate(q), "categories[second].weights").message ==
              "weights sum to 110, expected 100");
    }
    SECTION("none at all") {
        q.categories[1].marker_weights.clear();
        CHECK(issue_at(lab::validate(q), "categories[second].weights").message ==
              "weights sum to 0, expected 100");
    }
    SECTION("a marker left out weighs nothing, which is fine when the rest sums to 100") {
        q.categories[1].marker_weights = {{"a", 100}};
        CHECK(lab::validate(q).empty());
    }
}

TEST_CASE("a category weight outside 0..100 is an error", "[labelling][questionnaire]") {
    auto q = small_questionnaire();
    q.categories[0].marker_weights = {{"a", 120}, {"b", -20}};
    const auto issues = lab::validate(q);
    CHECK(issue_at(issues, "categories[first].weights.a").message ==
          "weight (120) must be between 0 and 100");
    CHECK(issue_at(issues, "categories[first].weights.b").message ==
          "weight (-20) must be between 0 and 100");
}

TEST_CASE("a question without a usable scale is an error", "[labelling][questionnaire]") {
    auto q = small_questionnaire();
    auto& question = q.markers[0].questions[1];
    SECTION("no scale at all") {
        question.scale = {};
        CHECK(issue_at(lab::validate(q), "markers[a].questions[a2].scale").message ==
              "scale min (0) must be less than max (0)");
    }
    SECTION("min above max") {
        question.scale = {4, 1};
        CHECK(issue_at(lab::validate(q), "markers[a].questions[a2].scale").message ==
              "scale min (4) must be less than max (1)");
    }
    SECTION("negative min") {
        question.scale = {-1, 4};
        CHECK(issue_at(lab::validate(q), "markers[a].questions[a2].scale").message ==
              "scale min (-1) must be at least 0");
    }
    SECTION("max beyond 10") {
        question.scale = {0, 20};
        CHECK(issue_at(lab::validate(q), "markers[a].questions[a2].scale").message ==
              "scale max (20) must be at most 10");
    }
}

TEST_CASE("a question weight outside 1..100 is an error", "[labelling][questionnaire]") {
    auto q = small_questionnaire();
    q.markers[1].questions[0].weight = 0;
    q.markers[1].questions[1].weight = 101;
    const auto issues = lab::validate(q);
    CHECK(issue_at(issues, "markers[b].questions[b1].weight").message ==
          "weight (0) must be between 1 and 100");
    CHECK(issue_at(issues, "markers[b].questions[b2].weight").message ==
          "weight (101) must be between 1 and 100");
}

TEST_CASE("duplicate ids are errors", "[labelling][questionnaire]") {
    auto q = small_questionnaire();
    SECTION("two markers") {
        q.markers[1].id = "a";
        q.categories[0].marker_weights = {{"a", 100}};
        q.categories[1].marker_weights = {{"a", 100}};
        const auto issues = lab::validate(q);
        CHECK(issues.size() == 1);
        CHECK(issues[0].message == "marker id \"a\" is already used by another marker");
    }
    SECTION("two questions, even in different markers") {
        q.markers[1].questions[2].id = "a1";
        CHECK(issue_at(lab::validate(q), "markers[b].questions[a1].id").message ==
              "question id \"a1\" is already used (question ids are unique across markers)");
    }
    SECTION("two categories") {
        q.categories[1].id = "first";
        const auto issues = lab::validate(q);
        CHECK(issues.size() == 1);
        CHECK(issues[0].message == "category id \"first\" is already used by another category");
    }
}

TEST_CASE("ids must be non-empty lower-case ASCII words", "[labelling][questionnaire]") {
    auto q = small_questionnaire();
    SECTION("capitals, spaces or accents") {
        q.markers[0].questions[0].id = "Qualité 1";
        CHECK(issue_at(lab::validate(q), "markers[a].questions[Qualité 1].id").message ==
              "id \"Qualité 1\" may only contain a-z, 0-9, '_' and '-'");
    }
    SECTION("empty: the element is named by its position, counted from 1") {
        q.categories[1].id = "";
        CHECK(issue_at(lab::validate(q), "categories[#2].id").message == "id is empty");
    }
}

TEST_CASE("empty labels and question texts are errors", "[labelling][questionnaire]") {
    auto q = small_questionnaire();
    q.markers[0].label = "";
    q.markers[0].questions[0].text = "";
    q.categories[0].label = "";
    const auto issues = lab::validate(q);
    CHECK(issue_at(issues, "markers[a].label").message == "label is empty");
    CHECK(issue_at(issues, "markers[a].questions[a1].text").message == "text is empty");
    CHECK(issue_at(issues, "categories[first].label").message == "label is empty");
}

TEST_CASE("a marker without question is an error, with fewer than 3 or more than 5 a warning",
          "[labelling][questionnaire]") {
    auto q = small_questionnaire();
    SECTION("none") {
        q.markers[1].questions.clear();
        const auto issues = lab::validate(q);
        const auto& issue = issue_at(issues, "markers[b].questions");
        CHECK(issue.severity == lab::Severity::error);
        CHECK(issue.message == "marker has no question, so it cannot be scored");
    }
    SECTION("two") {
        q.markers[1].questions.pop_back();
        const auto issues = lab::validate(q);
        const auto& issue = issue_at(issues, "markers[b].questions");
        CHECK(issue.severity == lab::Severity::warning);
        CHECK(issue.message == "marker has 2 question(s); 3 to 5 are recommended");
        CHECK_FALSE(lab::has_errors(issues));
    }
    SECTION("six") {
        for (int i = 4; i <= 6; ++i) {
            q.markers[1].questions.push_back({"b" + std::to_string(i), "Question ?", {0, 2}, 1});
        }
        const auto issues = lab::validate(q);
        const auto& issue = issue_at(issues, "markers[b].questions");
        CHECK(issue.severity == lab::Severity::warning);
        CHECK(issue.message == "marker has 6 question(s); 3 to 5 are recommended");
    }
}

TEST_CASE("a questionnaire needs at least one marker and one category",
          "[labelling][questionnaire]") {
    lab::Questionnaire q;
    q.gate = {1, 0, 0};
    const auto issues = lab::validate(q);
    CHECK(issue_at(issues, "markers").message == "at least one marker is required");
    CHECK(issue_at(issues, "categories").message == "at least one category is required");
}

TEST_CASE("a category cap must be a positive number of euros", "[labelling][questionnaire]") {
    auto q = small_questionnaire();
    q.categories[0].cap_eur = 0;
    CHECK(issue_at(lab::validate(q), "categories[first].cap_eur").message ==
          "cap_eur (0) must be a positive number of euros");
}

TEST_CASE("gate thresholds out of range are errors", "[labelling][questionnaire]") {
    auto q = small_questionnaire();
    q.gate = {0, -1, 101};
    const auto issues = lab::validate(q);
    CHECK(issue_at(issues, "gate.min_reviewers").message == "min_reviewers (0) must be at least 1");
    CHECK(issue_at(issues, "gate.min_marker_score").message ==
          "min_marker_score (-1) must be between 0 and 100");
    CHECK(issue_at(issues, "gate.min_overall_score").message ==
          "min_overall_score (101) must be between 0 and 100");
}

TEST_CASE("an issue prints as severity, path and message", "[labelling][questionnaire]") {
    CHECK(lab::to_string({lab::Severity::error, "gate.min_reviewers", "too low"}) ==
          "error: gate.min_reviewers: too low");
    CHECK(lab::to_string({lab::Severity::warning, "markers[a].questions", "few"}) ==
          "warning: markers[a].questions: few");
}

TEST_CASE("markers, questions and categories are found by id", "[labelling][questionnaire]") {
    const auto q = small_questionnaire();
    REQUIRE(lab::find_marker(q, "b") != nullptr);
    CHECK(lab::find_marker(q, "b")->label == "Marqueur B");
    REQUIRE(lab::find_question(q, "b2") != nullptr);
    CHECK(lab::find_question(q, "b2")->text == "Question B2 ?");
    REQUIRE(lab::find_category(q, "second") != nullptr);
    CHECK(lab::find_category(q, "second")->cap_eur == 2000);
    CHECK(lab::find_marker(q, "z") == nullptr);
    CHECK(lab::find_question(q, "z") == nullptr);
    CHECK(lab::find_category(q, "z") == nullptr);
}

TEST_CASE("the canonical form has a fixed key order and no whitespace",
          "[labelling][questionnaire]") {
    lab::Questionnaire q;
    q.markers = {{"m", "Marqueur « é »", {{"q", "Texte \"cité\" ?", {0, 4}, 2}}}};
    q.categories = {{"c", "Catégorie", 4500, {{"m", 100}}}};
    q.gate = {3, 40, 60};
    CHECK(lab::canonical_json(q) ==
          R"({"markers":[{"id":"m","label":"Marqueur « é »","questions":[{"id":"q",)"
          R"("text":"Texte \"cité\" ?","scale":{"min":0,"max":4},"weight":2}]}],)"
          R"("categories":[{"id":"c","label":"Catégorie","cap_eur":4500,"weights":{"m":100}}],)"
          R"("gate":{"min_reviewers":3,"min_marker_score":40,"min_overall_score":60}})");
}

TEST_CASE("the digest is the SHA-256 of the canonical form and follows every change",
          "[labelling][questionnaire]") {
    const auto q = small_questionnaire();
    const std::string digest = lab::questionnaire_digest(q);
    // Held constant on purpose: a change here means sealed ballots would no longer verify.
    CHECK(digest == "af47c9423aed8078461f7b148ec2e7474e5ee49fb5eef7e1500c460521ccf3c6");
    CHECK(lab::questionnaire_digest(small_questionnaire()) == digest);

    auto changed = q;
    SECTION("a question text") { changed.markers[0].questions[0].text += " "; }
    SECTION("a weight") { changed.markers[0].questions[0].weight = 2; }
    SECTION("a category cap") { changed.categories[1].cap_eur = 2001; }
    SECTION("the gate") { changed.gate.min_overall_score = 51; }
    CHECK(lab::questionnaire_digest(changed) != digest);
}
