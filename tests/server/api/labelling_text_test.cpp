#include "server/api/labelling_text.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "labelling/radar_svg.hpp"
#include "labelling/scoring.hpp"
#include "server/api/staff_views.hpp"
#include "tests/labelling/radar_fixture.hpp"
#include "tests/labelling/test_questionnaire.hpp"

using namespace budget;
using namespace budget::server::api;
namespace json = boost::json;
using labelling::testing::full_marks;
using labelling::testing::small_questionnaire;

namespace {

/// The problems `evaluation` has against small_questionnaire(), each in French.
std::vector<std::string> problem_texts(const labelling::Evaluation& evaluation) {
    const auto result = labelling::score_evaluation(small_questionnaire(), evaluation);
    REQUIRE(result.has_error());
    std::vector<std::string> texts;
    for (const auto& problem : result.error().problems) {
        texts.push_back(answer_problem_text(problem));
    }
    return texts;
}

/// The gate's reasons for `aggregate` scored by `reviewers` on small_questionnaire() (2
/// reviewers, 40 per marker, 50 overall).
std::vector<std::string> reasons(const labelling::MarkerScores& aggregate, int reviewers,
                                 int min_reviewers = 2) {
    auto q = small_questionnaire();
    q.gate.min_reviewers = min_reviewers;
    return gate_reasons(labelling::evaluate_gate(q, aggregate, reviewers));
}

std::string read_file(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

}  // namespace

TEST_CASE("a missing answer is named by its question", "[server][labelling]") {
    auto evaluation = full_marks();
    evaluation.answers.erase("a2");

    CHECK(problem_texts(evaluation) ==
          std::vector<std::string>{"Il manque la réponse à la question «\u00a0a2\u00a0»."});
}

TEST_CASE("an answer to a question that does not exist is named", "[server][labelling]") {
    auto evaluation = full_marks();
    evaluation.answers["z9"] = 2;

    CHECK(problem_texts(evaluation) ==
          std::vector<std::string>{
              "La question «\u00a0z9\u00a0» n’existe pas dans le questionnaire."});
}

TEST_CASE("an answer outside its scale is named with the answer and the scale",
          "[server][labelling]") {
    auto evaluation = full_marks();
    SECTION("below the minimum of a 1..5 scale") {
        evaluation.answers["a3"] = 0;
        CHECK(
            problem_texts(evaluation) ==
            std::vector<std::string>{
                "La réponse à la question «\u00a0a3\u00a0» (0) doit être comprise entre 1 et 5."});
    }
    SECTION("above the maximum") {
        evaluation.answers["b1"] = 3;
        CHECK(
            problem_texts(evaluation) ==
            std::vector<std::string>{
                "La réponse à la question «\u00a0b1\u00a0» (3) doit être comprise entre 0 et 2."});
    }
}

TEST_CASE("an answer that is not an integer is named", "[server][labelling]") {
    CHECK(answer_not_integer_text("a1") ==
          "La réponse à la question «\u00a0a1\u00a0» doit être un nombre entier.");
}

TEST_CASE("every problem of an evaluation is in the 422 message, in the scoring’s order",
          "[server][labelling]") {
    const json::object given{{"a1", 9}, {"a2", 4}, {"zz", 1}, {"b1", -1},
                             {"b2", 0}, {"b3", 0}, {"aa", 0}};

    auto check = check_answers(small_questionnaire(), given);
    REQUIRE_FALSE(check.scores);
    const auto refused = invalid_answers(11, std::move(check.problems));

    const auto error = json::parse(refused.body()).at("error");
    CHECK(error.at("message") ==
          "Il manque la réponse à la question «\u00a0a3\u00a0». "
          "La question «\u00a0aa\u00a0» n’existe pas dans le questionnaire. "
          "La question «\u00a0zz\u00a0» n’existe pas dans le questionnaire. "
          "La réponse à la question «\u00a0a1\u00a0» (9) doit être comprise entre 0 et 4. "
          "La réponse à la question «\u00a0b1\u00a0» (-1) doit être comprise entre 0 et 2.");
    CHECK(error.at("problems").at(0).at("message") ==
          "Il manque la réponse à la question «\u00a0a3\u00a0».");
}

TEST_CASE("too few reviewers is worded with both counts", "[server][labelling]") {
    const labelling::MarkerScores good{{"a", 90}, {"b", 90}};
    SECTION("one") {
        CHECK(reasons(good, 1) ==
              std::vector<std::string>{
                  "L’initiative n’a été évaluée que par 1 membre du comité\u202f; "
                  "il en faut au moins 2."});
    }
    SECTION("several") {
        CHECK(reasons(good, 2, 3) ==
              std::vector<std::string>{"L’initiative n’a été évaluée que par 2 membres du comité"
                                       "\u202f; il en faut au moins 3."});
    }
    SECTION("none") {
        CHECK(reasons(good, 0) ==
              std::vector<std::string>{"L’initiative n’a été évaluée par aucun membre du comité"
                                       "\u202f; il en faut au moins 2."});
    }
}

TEST_CASE("a marker below its minimum is worded with the marker’s label and both numbers",
          "[server][labelling]") {
    CHECK(reasons({{"a", 32}, {"b", 90}}, 2) ==
          std::vector<std::string>{
              "Le score «\u00a0Marqueur A\u00a0» (32) est inférieur au minimum requis "
              "(40)."});
}

TEST_CASE("a marker without score is worded", "[server][labelling]") {
    CHECK(
        reasons({{"a", 100}}, 2) ==
        std::vector<std::string>{"Le marqueur «\u00a0Marqueur B\u00a0» n’a pas encore de score."});
}

TEST_CASE("an overall score below its minimum is worded", "[server][labelling]") {
    CHECK(reasons({{"a", 45}, {"b", 45}}, 2) ==
          std::vector<std::string>{"Le score global (45) est inférieur au minimum requis (50)."});
}

TEST_CASE("every failed condition is worded, reviewers then markers then overall",
          "[server][labelling]") {
    CHECK(
        reasons({{"a", 10}}, 1) ==
        std::vector<std::string>{
            "L’initiative n’a été évaluée que par 1 membre du comité\u202f; il en faut au moins 2.",
            "Le score «\u00a0Marqueur A\u00a0» (10) est inférieur au minimum requis (40).",
            "Le marqueur «\u00a0Marqueur B\u00a0» n’a pas encore de score.",
            "Le score global (5) est inférieur au minimum requis (50)."});
    CHECK(reasons({{"a", 40}, {"b", 60}}, 2).empty());
}

TEST_CASE("the radar drawn with the API’s texts is the golden file, byte for byte",
          "[server][labelling][radar]") {
    labelling::RadarOptions options;
    options.texts = radar_texts();

    const auto svg = labelling::render_radar_svg(labelling::testing::design_axes(),
                                                 labelling::testing::fixed_aggregate(),
                                                 labelling::testing::fixed_overlays(), options);

    const auto golden =
        read_file(labelling::testing::source_path("tests/labelling/golden/radar_fixed.svg"));
    REQUIRE_FALSE(golden.empty());
    CHECK(svg == golden);
}

TEST_CASE("the radar’s texts are French, and an initiative’s radar is titled after it",
          "[server][labelling][radar]") {
    const auto texts = initiative_radar_texts("Jardin partagé");
    CHECK(texts.title == "Radar des marqueurs ESS — Jardin partagé");
    CHECK(texts.aggregate_name == "Médiane du comité");

    labelling::RadarOptions options;
    options.texts = texts;
    const auto svg = labelling::render_radar_svg({{"a", "A"}, {"b", "B"}, {"c", "C"}, {"d", "D"}},
                                                 {{"a", 100}}, {}, options);
    CHECK_THAT(svg, Catch::Contains("<title id=\"radar-title\">Radar des marqueurs ESS — Jardin "
                                    "partagé</title>"));
    CHECK_THAT(
        svg, Catch::Contains("A 100\u202f; B non évalué\u202f; C non évalué\u202f; D non évalué."));
    CHECK_THAT(labelling::render_radar_svg({}, {}, {}, options),
               Catch::Contains(">Aucun marqueur à afficher.</desc>"));
}
