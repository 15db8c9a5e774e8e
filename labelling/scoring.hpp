#pragma once

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "labelling/questionnaire.hpp"

namespace budget::labelling {

/// Question id -> answer.
using Answers = std::map<std::string, int, std::less<>>;

/// One reviewer's answers to the questionnaire for one initiative.
struct Evaluation {
    Answers answers;
};

/// Marker id -> score, an integer 0..100.
using MarkerScores = std::map<std::string, int, std::less<>>;

enum class AnswerProblemKind {
    missing,           ///< a question of the questionnaire has no answer
    unknown_question,  ///< an answer names no question of the questionnaire
    out_of_range,      ///< an answer lies outside its question's scale
};

struct AnswerProblem {
    AnswerProblemKind kind = AnswerProblemKind::missing;
    std::string question_id;
    int value = 0;  ///< the answer given (unknown_question, out_of_range)
    Scale scale;    ///< the accepted scale (out_of_range)
};

/// Every problem of an evaluation: missing answers in questionnaire order, then unknown
/// question ids in id order, out-of-range answers in questionnaire order. The API words them
/// (server/api/labelling_text.hpp).
struct ScoringError {
    std::vector<AnswerProblem> problems;
};

/// Lets `result::value()` throw std::invalid_argument, naming the problems for the programmer.
[[noreturn]] void throw_exception_from_error(const ScoringError& error,
                                             const boost::source_location& location);

/// Per-marker scores of one reviewer. A marker's score is the weighted mean of its answers,
/// each normalised to its scale ((answer - min) / (max - min)), times 100, rounded to the
/// nearest integer (halves up). Computed exactly in integers.
boost::system::result<MarkerScores, ScoringError> score_evaluation(
    const Questionnaire& questionnaire, const Evaluation& evaluation);

/// Median per marker over the reviewers who scored it. With an even number of scores, the
/// mean of the two middle ones rounded halves up (40 and 45 give 43). Empty input, empty result.
MarkerScores aggregate(const std::vector<MarkerScores>& reviewer_scores);

/// Unweighted mean of the scores of every marker of the questionnaire (a missing marker counts
/// 0), rounded halves up. Category-independent on purpose, so the gate does not depend on the
/// category the committee finally chooses.
int overall_score(const Questionnaire& questionnaire, const MarkerScores& scores);

/// The category's weighted score: sum of weight x score / 100, rounded halves up.
int category_score(const Category& category, const MarkerScores& scores);

/// The category that weighs this profile best, with its weighted score.
struct CategoryProposal {
    std::string category_id;
    int score = 0;
};

/// The best-weighted category, compared on the exact (unrounded) weighted sums; ties go to the
/// category listed first in the configuration. Empty id when there is no category.
CategoryProposal propose_category(const Questionnaire& questionnaire, const MarkerScores& scores);

enum class GateFailureKind {
    too_few_reviewers,      ///< `value` reviewers, `minimum` required
    marker_not_scored,      ///< the marker has no aggregated score yet (`minimum` its minimum)
    marker_below_minimum,   ///< the marker's score `value` is below `minimum`
    overall_below_minimum,  ///< the overall score `value` is below `minimum`
};

/// One condition of the gate that does not hold, with its numbers. The API words it
/// (server/api/labelling_text.hpp).
struct GateFailure {
    GateFailureKind kind = GateFailureKind::too_few_reviewers;
    std::string marker_id;     ///< marker_not_scored, marker_below_minimum
    std::string marker_label;  ///< marker_not_scored, marker_below_minimum
    int value = 0;             ///< the reviewers counted, or the score found
    int minimum = 0;           ///< what the gate requires

    bool operator==(const GateFailure&) const = default;
};

/// Whether the initiative may be labelled without a justification, and why not.
struct GateVerdict {
    bool passes = false;
    int overall_score = 0;
    /// Every failed condition: reviewers first, then markers in questionnaire order, then the
    /// overall score. Empty exactly when the gate passes.
    std::vector<GateFailure> failures;
};

/// Checks the gate of the questionnaire against aggregated scores from `reviewers` reviewers.
GateVerdict evaluate_gate(const Questionnaire& questionnaire, const MarkerScores& aggregate,
                          int reviewers);

}  // namespace budget::labelling
