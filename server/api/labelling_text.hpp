#pragma once
// The French words of labelling: the gate's failed conditions, the problems of an evaluation and
// the radar's texts. labelling/ returns values (GateFailure, AnswerProblem) and draws the radar
// with the texts given; what people read is written here, beside the error table (errors.hpp).

#include <string>
#include <string_view>
#include <vector>

#include "labelling/radar_svg.hpp"
#include "labelling/scoring.hpp"

namespace budget::server::api {

/// One sentence per failed condition, e.g. "Le score global (45) est inférieur au minimum
/// requis (50)."
std::string gate_failure_text(const labelling::GateFailure& failure);
/// The sentences of every failed condition, in the verdict's order (`gate.reasons` of the API).
std::vector<std::string> gate_reasons(const labelling::GateVerdict& gate);

/// One sentence per problem, e.g. "Il manque la réponse à la question « gouv_1 »."
std::string answer_problem_text(const labelling::AnswerProblem& problem);
/// The answer to `question_id` is not an integer (found by the API before scoring).
std::string answer_not_integer_text(std::string_view question_id);

/// The name of the caller's own series on the committee's radar.
inline constexpr std::string_view kOwnEvaluationName = "Votre évaluation";

/// The radar's French texts, titled "Radar des marqueurs ESS".
labelling::RadarTexts radar_texts();
/// The same titled after an initiative: "Radar des marqueurs ESS — <initiative_title>".
labelling::RadarTexts initiative_radar_texts(std::string_view initiative_title);

}  // namespace budget::server::api
