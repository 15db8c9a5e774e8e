// Fuzz target: config/questionnaire.toml as the committee edits it between campaigns
// (labelling::parse_questionnaire_toml). An accepted questionnaire must be valid, have a
// canonical JSON form and digest, and score all-minimum answers 0 and all-maximum answers 100.

#include <boost/json.hpp>
#include <string>

#include "labelling/questionnaire_toml.hpp"
#include "labelling/scoring.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace budget;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto loaded = labelling::parse_questionnaire_toml(fuzz::as_text(data, size), "fuzz.toml");
    if (!loaded) {
        FUZZ_CHECK(!loaded.error().messages.empty(), "a refusal without a message");
        return 0;
    }
    const auto& q = *loaded;
    FUZZ_CHECK(!labelling::has_errors(labelling::validate(q)),
               "an invalid questionnaire was loaded");
    boost::system::error_code ec;
    boost::json::parse(labelling::canonical_json(q), ec);
    FUZZ_CHECK(!ec, "canonical_json is not JSON");
    FUZZ_CHECK(labelling::questionnaire_digest(q).size() == 64, "digest is not SHA-256 hex");

    labelling::Evaluation low, high;
    for (const auto& m : q.markers) {
        for (const auto& question : m.questions) {
            low.answers[question.id] = question.scale.min;
            high.answers[question.id] = question.scale.max;
        }
    }
    const auto zero = labelling::score_evaluation(q, low);
    const auto full = labelling::score_evaluation(q, high);
    FUZZ_CHECK(zero && full, "in-scale answers to every question were refused");
    for (const auto& [marker, score] : *zero)
        FUZZ_CHECK(score == 0, "all-minimum answers do not score 0");
    for (const auto& [marker, score] : *full)
        FUZZ_CHECK(score == 100, "all-maximum answers do not score 100");
    const auto gate = labelling::evaluate_gate(q, *full, q.gate.min_reviewers);
    FUZZ_CHECK(gate.overall_score == 100, "overall score of all-maximum answers");
    for (const auto& c : q.categories) {
        FUZZ_CHECK(labelling::category_score(c, *full) == 100,
                   "category score of all-maximum answers");
    }
    return 0;
}
