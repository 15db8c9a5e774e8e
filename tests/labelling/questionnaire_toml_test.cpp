#include "labelling/questionnaire_toml.hpp"

#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>

#include "test_questionnaire.hpp"

namespace lab = budget::labelling;

namespace {

// Line numbers matter: the tests below point at them.
constexpr const char* kMinimal = R"([gate]
min_reviewers = 2
min_marker_score = 40
min_overall_score = 50

[[markers]]
id = "a"
label = "Marqueur A"

[[markers.questions]]
id = "a1"
text = "Première question ?"
scale = { min = 0, max = 4 }
weight = 3

[[markers.questions]]
id = "a2"
text = "Deuxième question ?"
scale = { min = 1, max = 5 }

[[markers.questions]]
id = "a3"
text = "Troisième question ?"
scale = { min = 0, max = 2 }

[[categories]]
id = "c"
label = "Catégorie"
cap_eur = 4500

[categories.weights]
a = 100
)";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}

lab::LoadError load_error(const std::string& text) {
    const auto result = lab::parse_questionnaire_toml(text, "test.toml");
    REQUIRE(result.has_error());
    return result.error();
}

}  // namespace

TEST_CASE("a minimal questionnaire file is read into plain values", "[labelling][toml]") {
    const auto result = lab::parse_questionnaire_toml(kMinimal, "test.toml");
    REQUIRE(result.has_value());
    const lab::Questionnaire& q = *result;
    REQUIRE(q.markers.size() == 1);
    CHECK(q.markers[0].id == "a");
    CHECK(q.markers[0].label == "Marqueur A");
    REQUIRE(q.markers[0].questions.size() == 3);
    CHECK(q.markers[0].questions[0].text == "Première question ?");
    CHECK(q.markers[0].questions[0].weight == 3);
    CHECK(q.markers[0].questions[1].scale.min == 1);
    CHECK(q.markers[0].questions[1].scale.max == 5);
    SECTION("an omitted question weight is 1") { CHECK(q.markers[0].questions[1].weight == 1); }
    REQUIRE(q.categories.size() == 1);
    CHECK(q.categories[0].cap_eur == 4500);
    CHECK(q.categories[0].marker_weights == lab::MarkerWeights{{"a", 100}});
    CHECK(q.gate.min_reviewers == 2);
    CHECK(q.gate.min_marker_score == 40);
    CHECK(q.gate.min_overall_score == 50);
}

TEST_CASE("invalid TOML is a syntax error naming the source", "[labelling][toml]") {
    const auto error = load_error("[gate\nmin_reviewers = 2\n");
    CHECK(error.kind == lab::LoadErrorKind::syntax);
    REQUIRE(error.messages.size() == 1);
    CHECK_THAT(error.messages[0], Catch::Contains("test.toml"));
}

TEST_CASE("unknown keys are rejected with their line, path and the keys expected",
          "[labelling][toml]") {
    SECTION("at the top level") {
        const auto error = load_error(std::string("titre = \"x\"\n") + kMinimal);
        CHECK(error.kind == lab::LoadErrorKind::schema);
        CHECK(error.messages ==
              std::vector<std::string>{"test.toml:1: unknown key \"titre\" (expected one of: "
                                       "markers, categories, gate)"});
    }
    SECTION("in a question, e.g. a misspelt weight") {
        const auto error = load_error(replaced(kMinimal, "weight = 3", "wieght = 3"));
        CHECK(error.messages ==
              std::vector<std::string>{"test.toml:14: markers[a].questions[a1]: unknown key "
                                       "\"wieght\" (expected one of: id, text, scale, weight)"});
    }
    SECTION("in a scale") {
        const auto error = load_error(
            replaced(kMinimal, "{ min = 0, max = 4 }", "{ min = 0, max = 4, step = 1 }"));
        CHECK(error.messages ==
              std::vector<std::string>{"test.toml:13: markers[a].questions[a1].scale: unknown key "
                                       "\"step\" (expected one of: min, max)"});
    }
    SECTION("in a marker, a category and the gate at once: every one is reported") {
        std::string text =
            replaced(kMinimal, "label = \"Marqueur A\"", "label = \"Marqueur A\"\ncolor = \"red\"");
        text = replaced(text, "cap_eur = 4500", "cap_eur = 4500\nplafond = 1");
        text = replaced(text, "min_reviewers = 2", "min_reviewers = 2\nquorum = 2");
        const auto error = load_error(text);
        CHECK(error.kind == lab::LoadErrorKind::schema);
        REQUIRE(error.messages.size() == 3);
        CHECK(error.messages[0] ==
              "test.toml:10: markers[a]: unknown key \"color\" (expected one of: id, label, "
              "questions)");
        CHECK(error.messages[1] ==
              "test.toml:32: categories[c]: unknown key \"plafond\" (expected one of: id, "
              "label, cap_eur, weights)");
        CHECK(error.messages[2] ==
              "test.toml:3: gate: unknown key \"quorum\" (expected one of: min_reviewers, "
              "min_marker_score, min_overall_score)");
    }
}

TEST_CASE("missing keys are reported with the table they belong to", "[labelling][toml]") {
    SECTION("a question without a scale") {
        const auto error = load_error(replaced(kMinimal, "scale = { min = 0, max = 2 }\n", ""));
        CHECK(error.kind == lab::LoadErrorKind::schema);
        REQUIRE(error.messages.size() == 1);
        CHECK_THAT(error.messages[0],
                   Catch::EndsWith("markers[a].questions[a3]: missing key \"scale\""));
    }
    SECTION("a scale without max") {
        const auto error = load_error(replaced(kMinimal, "{ min = 0, max = 2 }", "{ min = 0 }"));
        CHECK(error.messages ==
              std::vector<std::string>{"test.toml:24: markers[a].questions[a3].scale: missing key "
                                       "\"max\""});
    }
    SECTION("the gate") {
        const auto error = load_error(replaced(kMinimal, "min_overall_score = 50\n", ""));
        CHECK(error.messages ==
              std::vector<std::string>{"test.toml:1: gate: missing key \"min_overall_score\""});
    }
    SECTION("a marker without id is named by its position") {
        const auto error = load_error(replaced(kMinimal, "id = \"a\"\n", ""));
        REQUIRE(error.messages.size() == 1);
        CHECK_THAT(error.messages[0], Catch::EndsWith("markers[#1]: missing key \"id\""));
    }
}

TEST_CASE("values of the wrong type are reported", "[labelling][toml]") {
    SECTION("a weight written as a string") {
        const auto error = load_error(replaced(kMinimal, "weight = 3", "weight = \"3\""));
        CHECK(error.messages ==
              std::vector<std::string>{"test.toml:14: markers[a].questions[a1].weight: expected an "
                                       "integer"});
    }
    SECTION("a decimal category weight") {
        const auto error = load_error(replaced(kMinimal, "a = 100", "a = 100.0"));
        CHECK(error.messages == std::vector<std::string>{
                                    "test.toml:32: categories[c].weights.a: expected an integer"});
    }
    SECTION("a label that is a number") {
        const auto error = load_error(replaced(kMinimal, "label = \"Catégorie\"", "label = 4"));
        CHECK(error.messages ==
              std::vector<std::string>{"test.toml:28: categories[c].label: expected a string"});
    }
    SECTION("markers as a single table") {
        const auto error = load_error(
            "markers = 3\n" + std::string(kMinimal).substr(0, std::string(kMinimal).find("[[")));
        CHECK_THAT(error.message(), Catch::Contains("test.toml:1: markers: expected an array of "
                                                    "tables"));
    }
    SECTION("an integer too large for its field") {
        const auto error =
            load_error(replaced(kMinimal, "min_reviewers = 2", "min_reviewers = 9999999999"));
        CHECK(error.messages ==
              std::vector<std::string>{"test.toml:2: gate.min_reviewers: integer 9999999999 is out "
                                       "of range"});
    }
}

TEST_CASE("a well-formed but invalid file fails with validate's messages and their lines",
          "[labelling][toml]") {
    SECTION("weights that do not sum to 100") {
        const auto error = load_error(replaced(kMinimal, "a = 100", "a = 90"));
        CHECK(error.kind == lab::LoadErrorKind::invalid);
        CHECK(error.messages ==
              std::vector<std::string>{"test.toml:31: categories[c].weights: weights sum to 90, "
                                       "expected 100"});
    }
    SECTION("an unknown marker in a category") {
        const auto error = load_error(replaced(kMinimal, "a = 100", "a = 100\nb = 0"));
        CHECK(error.messages == std::vector<std::string>{
                                    "test.toml:33: categories[c].weights.b: unknown marker \"b\""});
    }
    SECTION("a scale upside down") {
        const auto error = load_error(replaced(kMinimal, "{ min = 1, max = 5 }",
                                               "{ min = 5, "
                                               "max = 1 }"));
        CHECK(error.messages == std::vector<std::string>{
                                    "test.toml:19: markers[a].questions[a2].scale: scale min (5) "
                                    "must be less than max (1)"});
    }
}

TEST_CASE("warnings do not prevent loading", "[labelling][toml]") {
    // Two questions instead of the recommended three.
    const std::string text = replaced(kMinimal,
                                      "[[markers.questions]]\nid = \"a3\"\ntext = \"Troisième "
                                      "question ?\"\nscale = { min = 0, max = 2 }\n",
                                      "");
    const auto result = lab::parse_questionnaire_toml(text, "test.toml");
    REQUIRE(result.has_value());
    const auto issues = lab::validate(*result);
    REQUIRE(issues.size() == 1);
    CHECK(issues[0].severity == lab::Severity::warning);
}

TEST_CASE("asking for the value of a failed load throws the whole message at start-up",
          "[labelling][toml]") {
    const auto result = lab::parse_questionnaire_toml("[gate]\nquorum = 1\n", "bad.toml");
    REQUIRE(result.has_error());
    CHECK(result.error().messages.size() > 1);
    CHECK_THROWS_WITH(result.value(), result.error().message());
    CHECK_THROWS_AS(result.value(), std::runtime_error);
}

TEST_CASE("the shipped questionnaire loads, validates without warning and holds the design",
          "[labelling][toml]") {
    const auto result = lab::testing::load_shipped_questionnaire();
    if (result.has_error()) FAIL(result.error().message());
    const lab::Questionnaire& q = *result;
    CHECK(lab::validate(q).empty());

    const std::vector<std::pair<std::string, std::string>> markers = {
        {"gouvernance", "Gouvernance démocratique"},
        {"utilite_sociale", "Utilité sociale"},
        {"primaute_personne", "Primauté de la personne sur le profit"},
        {"cooperation_territoriale", "Coopération territoriale"},
        {"innovation_sociale", "Innovation sociale"},
        {"transition_environnementale", "Transition environnementale"},
        {"implication_usagers", "Implication des usagers et des citoyens"},
        {"richesses_humaines", "Richesses humaines"},
    };
    REQUIRE(q.markers.size() == markers.size());
    for (std::size_t i = 0; i < markers.size(); ++i) {
        CHECK(q.markers[i].id == markers[i].first);
        CHECK(q.markers[i].label == markers[i].second);
        CHECK(q.markers[i].questions.size() >= 3);
        CHECK(q.markers[i].questions.size() <= 5);
    }

    REQUIRE(q.categories.size() == 4);
    CHECK(q.categories[0].label == "Pratique de l’ESS");
    CHECK(q.categories[0].cap_eur == 4500);
    CHECK(q.categories[1].label == "Innovation sociétale");
    CHECK(q.categories[2].label == "Coopération");
    CHECK(q.categories[3].label == "Transformation économique, environnementale et sociétale");
    for (const auto& category : q.categories) {
        // Every category says how it weighs every marker, even when the weight is small.
        CHECK(category.marker_weights.size() == markers.size());
    }
    CHECK(q.gate.min_reviewers == 3);
    CHECK(q.gate.min_marker_score == 40);
    CHECK(q.gate.min_overall_score == 60);
}
