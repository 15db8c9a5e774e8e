#pragma once
// What the committee sees of one initiative: each reviewer's marker scores, their median, the
// gate, and the category the profile suggests.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "labelling/questionnaire.hpp"
#include "labelling/scoring.hpp"

namespace budget::labelling {

/// One reviewer's evaluation of one initiative, as recorded.
struct ReviewerEvaluation {
    std::string username;
    Answers answers;
    std::string at;  ///< when it was recorded (RFC 3339)
};

struct InitiativeReview {
    std::map<std::string, MarkerScores, std::less<>> reviewer_scores;  ///< by username
    MarkerScores aggregate;
    int reviewers = 0;
    /// Evaluations that no longer score against the questionnaire in force (it changed since).
    int stale_evaluations = 0;
    GateVerdict gate;
    std::optional<CategoryProposal> proposal;  ///< none without any evaluation
};

/// Scores every evaluation (those that no longer score are counted as stale, not used), takes
/// their median per marker, checks the gate and proposes a category.
InitiativeReview review_initiative(const Questionnaire& questionnaire,
                                   const std::vector<ReviewerEvaluation>& evaluations);

}  // namespace budget::labelling
