#pragma once

#include <catch2/catch.hpp>
#include <string>

#include "config/files.hpp"
#include "labelling/questionnaire.hpp"
#include "labelling/questionnaire_toml.hpp"
#include "labelling/scoring.hpp"

namespace budget::labelling::testing {

/// A small valid questionnaire: markers "a" (questions a1 w=1 0..4, a2 w=3 0..4, a3 w=1 1..5)
/// and "b" (b1, b2, b3, all 0..2, weight 1); categories "first" (a 50, b 50) and "second"
/// (a 80, b 20), cap 1000 and 2000; gate 2 reviewers, 40 per marker, 50 overall.
inline Questionnaire small_questionnaire() {
    Questionnaire q;
    q.markers = {
        Marker{
            "a",
            "Marqueur A",
            {Question{"a1", "Question A1 ?", {0, 4}, 1}, Question{"a2", "Question A2 ?", {0, 4}, 3},
             Question{"a3", "Question A3 ?", {1, 5}, 1}}},
        Marker{
            "b",
            "Marqueur B",
            {Question{"b1", "Question B1 ?", {0, 2}, 1}, Question{"b2", "Question B2 ?", {0, 2}, 1},
             Question{"b3", "Question B3 ?", {0, 2}, 1}}},
    };
    q.categories = {
        Category{"first", "Première", 1000, {{"a", 50}, {"b", 50}}},
        Category{"second", "Seconde", 2000, {{"a", 80}, {"b", 20}}},
    };
    q.gate = Gate{2, 40, 50};
    return q;
}

/// Every question of small_questionnaire() answered with its maximum.
inline Evaluation full_marks() {
    return Evaluation{{{"a1", 4}, {"a2", 4}, {"a3", 5}, {"b1", 2}, {"b2", 2}, {"b3", 2}}};
}

/// Path of a file in the source tree.
inline std::string source_path(const std::string& relative) {
    return std::string(BUDGET_SOURCE_DIR) + "/" + relative;
}

/// config/questionnaire.toml read as the programs read it, then parsed.
inline QuestionnaireResult load_shipped_questionnaire() {
    const std::string path = source_path("config/questionnaire.toml");
    const auto text = config::read_text_file(path);
    REQUIRE(text.has_value());
    return parse_questionnaire_toml(*text, path);
}

}  // namespace budget::labelling::testing
