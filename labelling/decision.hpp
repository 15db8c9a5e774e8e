#pragma once
// The committee's decision on an initiative, and the rule it must follow: a decision may go
// against the gate (labelling an initiative that does not pass it, refusing one that does), but
// only with a written justification, which the audit log keeps.

#include <boost/system/result.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "labelling/questionnaire.hpp"
#include "labelling/scoring.hpp"

namespace budget::labelling {

enum class Decision { label, refuse };

/// "label" or "refuse"; std::nullopt for anything else.
std::optional<Decision> parse_decision(std::string_view text);
std::string_view to_string(Decision decision);

enum class DecisionError {
    unknown_category = 1,     ///< labelling needs one of the questionnaire's categories
    justification_to_label,   ///< labelling an initiative below the gate needs a justification
    justification_to_refuse,  ///< refusing an initiative that passes the gate needs one too
};

/// Whether the decision goes against the gate's verdict.
bool against_gate(Decision decision, const GateVerdict& gate);

/// Checks a decision: a label names a category of the questionnaire (checked first, it does not
/// depend on the evaluations), and a decision against the gate has a justification (`trimmed`,
/// empty when none was given).
boost::system::result<void, DecisionError> check_decision(const Questionnaire& questionnaire,
                                                          Decision decision,
                                                          std::string_view category,
                                                          const GateVerdict& gate,
                                                          std::string_view justification);

/// The category check alone (before the gate is known).
boost::system::result<void, DecisionError> check_category(const Questionnaire& questionnaire,
                                                          Decision decision,
                                                          std::string_view category);

/// Lets `result::value()` throw std::invalid_argument.
[[noreturn]] void throw_exception_from_error(DecisionError error,
                                             const boost::source_location& location);

}  // namespace budget::labelling
