#include "labelling/decision.hpp"

#include <stdexcept>
#include <string>

namespace budget::labelling {

std::optional<Decision> parse_decision(std::string_view text) {
    if (text == "label") return Decision::label;
    if (text == "refuse") return Decision::refuse;
    return std::nullopt;
}

std::string_view to_string(Decision decision) {
    return decision == Decision::label ? "label" : "refuse";
}

bool against_gate(Decision decision, const GateVerdict& gate) {
    return (decision == Decision::label) != gate.passes;
}

boost::system::result<void, DecisionError> check_category(const Questionnaire& questionnaire,
                                                          Decision decision,
                                                          std::string_view category) {
    if (decision == Decision::label && !find_category(questionnaire, category))
        return DecisionError::unknown_category;
    return {};
}

boost::system::result<void, DecisionError> check_decision(const Questionnaire& questionnaire,
                                                          Decision decision,
                                                          std::string_view category,
                                                          const GateVerdict& gate,
                                                          std::string_view justification) {
    if (auto checked = check_category(questionnaire, decision, category); !checked)
        return checked;
    if (against_gate(decision, gate) && justification.empty()) {
        return decision == Decision::label ? DecisionError::justification_to_label
                                           : DecisionError::justification_to_refuse;
    }
    return {};
}

void throw_exception_from_error(DecisionError error, const boost::source_location&) {
    throw std::invalid_argument("decision refused: " + std::to_string(static_cast<int>(error)));
}

}  // namespace budget::labelling
