#include "server/api/staff_views.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "config/config.hpp"
#include "config/files.hpp"
#include "labelling/questionnaire_toml.hpp"

using namespace budget;
using namespace budget::server::api;
namespace json = boost::json;

namespace {

const labelling::Questionnaire& questionnaire() {
    static const auto q = [] {
        const auto c = config::parse_config("", "test", ".");
        return labelling::parse_questionnaire_toml(
                   *config::read_text_file(c.labelling.questionnaire), c.labelling.questionnaire)
            .value();
    }();
    return q;
}

json::object every_question_answered(int value) {
    json::object given;
    for (const auto& marker : questionnaire().markers) {
        for (const auto& question : marker.questions) given[question.id] = value;
    }
    return given;
}

json::object error_of(const Response& res) {
    return json::parse(res.body()).at("error").as_object();
}

}  // namespace

TEST_CASE("answers are checked once each: non-integers, missing, unknown and out of range",
          "[server][labelling]") {
    auto given = every_question_answered(2);
    SECTION("complete answers give scores") {
        const auto check = check_answers(questionnaire(), given);
        CHECK(check.problems.empty());
        REQUIRE(check.scores);
        CHECK(check.scores->at("gouvernance") == 50);
    }
    SECTION("every problem is listed in French") {
        const auto first = questionnaire().markers[0].questions[0].id;
        const auto second = questionnaire().markers[0].questions[1].id;
        const auto third = questionnaire().markers[0].questions[2].id;
        given[first] = "deux";
        given.erase(second);
        given[third] = 9;
        given["inconnue"] = 1;
        const auto check = check_answers(questionnaire(), given);
        CHECK_FALSE(check.scores);
        REQUIRE(check.problems.size() == 4);
        std::vector<std::string> kinds;
        for (const auto& p : check.problems) kinds.emplace_back(p.at("problem").as_string());
        std::sort(kinds.begin(), kinds.end());
        CHECK(kinds == std::vector<std::string>{"missing", "not_integer", "out_of_range",
                                                "unknown_question"});
    }
}

TEST_CASE("invalid answers are refused with every problem's sentence and the problems beside",
          "[server][labelling]") {
    json::array problems{
        json::object{{"question", "q1"}, {"problem", "missing"}, {"message", "Première."}},
        json::object{{"question", "q2"}, {"problem", "missing"}, {"message", "Seconde."}}};

    const auto res = invalid_answers(11, problems);

    CHECK(res.result_int() == 422);
    const auto error = error_of(res);
    CHECK(error.at("code") == "invalid_answers");
    CHECK(error.at("message") == "Première. Seconde.");
    CHECK(error.at("problems").as_array().size() == 2);
}

TEST_CASE("refused initiatives are counted in the message and listed row by row",
          "[server][labelling]") {
    const std::vector<InitiativeRowError> one{{1, "a", {"Faux."}}};
    const std::vector<InitiativeRowError> two{{0, "", {"Faux."}}, {3, "b", {"Faux.", "Aussi."}}};

    const auto single = error_of(invalid_initiatives(11, one));
    const auto several = error_of(invalid_initiatives(11, two));
    const auto shape = error_of(invalid_initiatives_shape(11, "La liste est vide."));

    CHECK(single.at("code") == "invalid_initiatives");
    CHECK(std::string(single.at("message").as_string()).rfind("1 initiative est refusée", 0) == 0);
    CHECK(single.at("rows").at(0).at("id") == "a");
    CHECK(std::string(several.at("message").as_string()).rfind("2 initiatives sont refusées", 0) ==
          0);
    CHECK(several.at("rows").at(0).at("id").is_null());
    CHECK(several.at("rows").at(1).at("errors").as_array().size() == 2);
    CHECK(shape.at("message") == "La liste est vide.");
    CHECK(shape.at("rows").as_array().empty());
}

TEST_CASE("an unknown initiative is named by a short, clean excerpt of its id",
          "[server][labelling]") {
    const auto named = error_of(unknown_initiative(11, "inconnue"));
    const auto long_id = error_of(unknown_initiative(11, std::string(300, 'x')));
    const auto garbage = error_of(unknown_initiative(11, "\xff\xfe"));

    CHECK(named.at("message") == "Aucune initiative n’a l’identifiant « inconnue ».");
    CHECK(long_id.at("message").as_string().size() < 120);
    CHECK(std::string(garbage.at("message").as_string()).find("(illisible)") != std::string::npos);
}

TEST_CASE("a gate is shown with its verdict, its reasons and the overall score",
          "[server][labelling]") {
    labelling::GateVerdict gate;
    gate.passes = false;
    gate.overall_score = 42;
    gate.failures = {{labelling::GateFailureKind::overall_below_minimum, "", "", 42, 50}};

    const auto shown = gate_json(gate);

    CHECK(shown.at("passes") == false);
    CHECK(shown.at("overall_score") == 42);
    REQUIRE(shown.at("reasons").as_array().size() == 1);
    CHECK(shown.at("reasons").at(0) ==
          "Le score global (42) est inférieur au minimum requis (50).");
}
