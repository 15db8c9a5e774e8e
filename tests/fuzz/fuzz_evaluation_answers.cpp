// Fuzz target: the body of PUT /api/v1/admin/initiatives/{id}/evaluation, checked as the staff
// API does (api::check_answers, then labelling::score_evaluation) against the shipped
// questionnaire; the problems list must be valid JSON, every problem and failed gate condition
// must be worded (api/labelling_text), and scores must be in range and feed the radar, the
// median, the category proposal and the gate.

#include <boost/json.hpp>
#include <string>

#include "config/files.hpp"
#include "labelling/questionnaire_toml.hpp"
#include "labelling/scoring.hpp"
#include "server/api/labelling_text.hpp"
#include "server/api/request_body.hpp"
#include "server/api/staff_views.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

using namespace budget;

const labelling::Questionnaire& shipped() {
    static const labelling::Questionnaire q = [] {
        const std::string path = BUDGET_SOURCE_DIR "/config/questionnaire.toml";
        return labelling::parse_questionnaire_toml(config::read_text_file(path).value(), path)
            .value();
    }();
    return q;
}

void check_scores(const labelling::MarkerScores& scores) {
    const auto& q = shipped();
    FUZZ_CHECK(scores.size() == q.markers.size(), "a marker has no score");
    for (const auto& [marker, score] : scores) {
        FUZZ_CHECK(score >= 0 && score <= 100, "a marker score is outside 0..100");
        FUZZ_CHECK(labelling::find_marker(q, marker) != nullptr, "a score for an unknown marker");
    }
    FUZZ_CHECK(labelling::aggregate({scores}) == scores, "the median of one reviewer differs");
    const auto overall = labelling::overall_score(q, scores);
    FUZZ_CHECK(overall >= 0 && overall <= 100, "overall score out of range");
    const auto proposal = labelling::propose_category(q, scores);
    FUZZ_CHECK(labelling::find_category(q, proposal.category_id) != nullptr,
               "no category proposed");
    FUZZ_CHECK(proposal.score >= 0 && proposal.score <= 100, "category score out of range");
    const auto gate = labelling::evaluate_gate(q, scores, 3);
    FUZZ_CHECK(gate.passes == gate.failures.empty(),
               "the gate passes with failed conditions, or fails without");
    for (const auto& reason : server::api::gate_reasons(gate)) {
        FUZZ_CHECK(!reason.empty(), "a failed condition without a sentence");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    server::api::Request req;
    req.body() = std::string(fuzz::as_text(data, size));
    auto body = server::api::parse_json_object(req);
    if (std::holds_alternative<server::api::Rejection>(body)) return 0;
    const auto* answers = std::get<boost::json::object>(body).if_contains("answers");
    if (!answers || !answers->is_object() || answers->as_object().size() > 500) return 0;

    const auto check = server::api::check_answers(shipped(), answers->as_object());
    // The 422 answer echoes the problems: it must stay valid JSON (UTF-8).
    boost::system::error_code ec;
    boost::json::parse(boost::json::serialize(check.problems), ec);
    FUZZ_CHECK(!ec, "the invalid_answers problems are not valid JSON");
    if (check.scores) {
        FUZZ_CHECK(check.problems.empty(), "scores despite problems");
        check_scores(*check.scores);
    } else {
        FUZZ_CHECK(!check.problems.empty(), "refused without a problem");
    }

    // The scoring module alone, on the integer answers.
    const auto scores = labelling::score_evaluation(shipped(), {check.answers});
    if (scores) {
        check_scores(*scores);
    } else {
        FUZZ_CHECK(!scores.error().problems.empty(), "an error without a problem");
        for (const auto& problem : scores.error().problems) {
            FUZZ_CHECK(!server::api::answer_problem_text(problem).empty(),
                       "a problem without a sentence");
        }
    }
    return 0;
}
