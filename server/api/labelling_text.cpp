#include "server/api/labelling_text.hpp"

namespace budget::server::api {

namespace {

std::string guillemets(std::string_view text) {
    std::string out = "«\u00a0";
    out += text;
    out += "\u00a0»";
    return out;
}

std::string evaluated_by(int reviewers) {
    if (reviewers <= 0) return "n’a été évaluée par aucun membre du comité";
    if (reviewers == 1) return "n’a été évaluée que par 1 membre du comité";
    return "n’a été évaluée que par " + std::to_string(reviewers) + " membres du comité";
}

}  // namespace

std::string gate_failure_text(const labelling::GateFailure& failure) {
    using Kind = labelling::GateFailureKind;
    switch (failure.kind) {
        case Kind::too_few_reviewers:
            return "L’initiative " + evaluated_by(failure.value) + "\u202f; il en faut au moins " +
                   std::to_string(failure.minimum) + ".";
        case Kind::marker_not_scored:
            return "Le marqueur " + guillemets(failure.marker_label) + " n’a pas encore de score.";
        case Kind::marker_below_minimum:
            return "Le score " + guillemets(failure.marker_label) + " (" +
                   std::to_string(failure.value) + ") est inférieur au minimum requis (" +
                   std::to_string(failure.minimum) + ").";
        case Kind::overall_below_minimum:
            return "Le score global (" + std::to_string(failure.value) +
                   ") est inférieur au minimum requis (" + std::to_string(failure.minimum) + ").";
    }
    return {};
}

std::vector<std::string> gate_reasons(const labelling::GateVerdict& gate) {
    std::vector<std::string> reasons;
    reasons.reserve(gate.failures.size());
    for (const auto& failure : gate.failures) reasons.push_back(gate_failure_text(failure));
    return reasons;
}

std::string answer_problem_text(const labelling::AnswerProblem& problem) {
    using Kind = labelling::AnswerProblemKind;
    switch (problem.kind) {
        case Kind::missing:
            return "Il manque la réponse à la question " + guillemets(problem.question_id) + ".";
        case Kind::unknown_question:
            return "La question " + guillemets(problem.question_id) +
                   " n’existe pas dans le questionnaire.";
        case Kind::out_of_range:
            return "La réponse à la question " + guillemets(problem.question_id) + " (" +
                   std::to_string(problem.value) + ") doit être comprise entre " +
                   std::to_string(problem.scale.min) + " et " + std::to_string(problem.scale.max) +
                   ".";
    }
    return {};
}

std::string answer_not_integer_text(std::string_view question_id) {
    return "La réponse à la question " + guillemets(question_id) + " doit être un nombre entier.";
}

labelling::RadarTexts radar_texts() {
    labelling::RadarTexts texts;
    texts.title = "Radar des marqueurs ESS";
    texts.aggregate_name = "Médiane du comité";
    texts.overview = "Radar de {} marqueurs, gradué de 0 à 100.";
    texts.series = "{}\u00a0: {}.";
    texts.score_separator = "\u202f; ";
    texts.not_scored = "non évalué";
    texts.no_markers = "Aucun marqueur à afficher.";
    texts.own_name = std::string(kOwnEvaluationName);
    texts.spread_name = "Écart des autres évaluations (de la plus basse à la plus haute)";
    texts.spread_item = "{} de {} à {}";
    texts.threshold_name = "Seuil du comité";
    texts.threshold_uniform = "{}\u00a0: {}\u00a0sur 100 pour chaque marqueur";
    return texts;
}

labelling::RadarTexts initiative_radar_texts(std::string_view initiative_title) {
    auto texts = radar_texts();
    texts.title += " — ";
    texts.title += initiative_title;
    return texts;
}

}  // namespace budget::server::api
