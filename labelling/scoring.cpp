#include "labelling/scoring.hpp"

#include <algorithm>
#include <cstdint>
#include <stdexcept>

namespace budget::labelling {
namespace {

// Nearest integer to numerator / denominator, halves up; both non-negative, denominator > 0.
std::int64_t round_half_up(std::int64_t numerator, std::int64_t denominator) {
    return (2 * numerator + denominator) / (2 * denominator);
}

int median(std::vector<int> values) {
    std::sort(values.begin(), values.end());
    const std::size_t middle = values.size() / 2;
    if (values.size() % 2 == 1) return values[middle];
    return static_cast<int>(round_half_up(values[middle - 1] + values[middle], 2));
}

// Exact weighted sum of a category (0..10000 for scores 0..100 and weights summing to 100).
std::int64_t weighted_sum(const Category& category, const MarkerScores& scores) {
    std::int64_t sum = 0;
    for (const auto& [marker_id, weight] : category.marker_weights) {
        if (const auto found = scores.find(marker_id); found != scores.end()) {
            sum += static_cast<std::int64_t>(weight) * found->second;
        }
    }
    return sum;
}

}  // namespace

void throw_exception_from_error(const ScoringError& error,
                                const boost::source_location& /*location*/) {
    std::string what = "the evaluation does not score:";
    for (const AnswerProblem& problem : error.problems) {
        switch (problem.kind) {
            case AnswerProblemKind::missing:
                what += " missing ";
                break;
            case AnswerProblemKind::unknown_question:
                what += " unknown ";
                break;
            case AnswerProblemKind::out_of_range:
                what += " out of range ";
                break;
        }
        what += problem.question_id + ";";
    }
    what.pop_back();
    throw std::invalid_argument(what);
}

boost::system::result<MarkerScores, ScoringError> score_evaluation(
    const Questionnaire& questionnaire, const Evaluation& evaluation) {
    ScoringError error;
    std::vector<AnswerProblem> out_of_range;
    MarkerScores scores;
    for (const Marker& marker : questionnaire.markers) {
        // Every normalised answer (answer - min) / range is scaled by kScaleCommonMultiple,
        // which every valid range divides, so the weighted mean stays an exact fraction.
        std::int64_t numerator = 0;
        std::int64_t total_weight = 0;
        for (const Question& question : marker.questions) {
            const auto answer = evaluation.answers.find(question.id);
            if (answer == evaluation.answers.end()) {
                error.problems.push_back({AnswerProblemKind::missing, question.id, 0, {}});
                continue;
            }
            const int value = answer->second;
            if (value < question.scale.min || value > question.scale.max) {
                out_of_range.push_back(
                    {AnswerProblemKind::out_of_range, question.id, value, question.scale});
                continue;
            }
            const std::int64_t range = question.scale.max - question.scale.min;
            if (range <= 0 || kScaleCommonMultiple % range != 0) {
                throw std::logic_error("questionnaire scales must be validated before scoring");
            }
            numerator += static_cast<std::int64_t>(question.weight) * (value - question.scale.min) *
                         (kScaleCommonMultiple / range);
            total_weight += question.weight;
        }
        if (total_weight > 0) {
            scores[marker.id] = static_cast<int>(
                round_half_up(100 * numerator, total_weight * kScaleCommonMultiple));
        }
    }
    for (const auto& [question_id, value] : evaluation.answers) {
        if (find_question(questionnaire, question_id) == nullptr) {
            error.problems.push_back({AnswerProblemKind::unknown_question, question_id, value, {}});
        }
    }
    error.problems.insert(error.problems.end(), out_of_range.begin(), out_of_range.end());
    if (!error.problems.empty()) return error;
    return scores;
}

MarkerScores aggregate(const std::vector<MarkerScores>& reviewer_scores) {
    std::map<std::string, std::vector<int>, std::less<>> by_marker;
    for (const MarkerScores& scores : reviewer_scores) {
        for (const auto& [marker_id, score] : scores) by_marker[marker_id].push_back(score);
    }
    MarkerScores result;
    for (auto& [marker_id, values] : by_marker) result[marker_id] = median(std::move(values));
    return result;
}

int overall_score(const Questionnaire& questionnaire, const MarkerScores& scores) {
    if (questionnaire.markers.empty()) return 0;
    std::int64_t sum = 0;
    for (const Marker& marker : questionnaire.markers) {
        if (const auto found = scores.find(marker.id); found != scores.end()) sum += found->second;
    }
    return static_cast<int>(
        round_half_up(sum, static_cast<std::int64_t>(questionnaire.markers.size())));
}

int category_score(const Category& category, const MarkerScores& scores) {
    return static_cast<int>(round_half_up(weighted_sum(category, scores), kCategoryWeightTotal));
}

CategoryProposal propose_category(const Questionnaire& questionnaire, const MarkerScores& scores) {
    CategoryProposal best;
    std::int64_t best_sum = -1;
    for (const Category& category : questionnaire.categories) {
        const std::int64_t sum = weighted_sum(category, scores);
        // Strictly greater: on a tie the earlier category in the configuration stays.
        if (sum > best_sum) {
            best_sum = sum;
            best = {category.id, category_score(category, scores)};
        }
    }
    return best;
}

GateVerdict evaluate_gate(const Questionnaire& questionnaire, const MarkerScores& aggregate,
                          int reviewers) {
    const Gate& gate = questionnaire.gate;
    GateVerdict verdict;
    verdict.overall_score = overall_score(questionnaire, aggregate);
    if (reviewers < gate.min_reviewers) {
        verdict.failures.push_back(
            {GateFailureKind::too_few_reviewers, {}, {}, reviewers, gate.min_reviewers});
    }
    for (const Marker& marker : questionnaire.markers) {
        const auto found = aggregate.find(marker.id);
        if (found == aggregate.end()) {
            verdict.failures.push_back({GateFailureKind::marker_not_scored, marker.id, marker.label,
                                        0, gate.min_marker_score});
        } else if (found->second < gate.min_marker_score) {
            verdict.failures.push_back({GateFailureKind::marker_below_minimum, marker.id,
                                        marker.label, found->second, gate.min_marker_score});
        }
    }
    if (verdict.overall_score < gate.min_overall_score) {
        verdict.failures.push_back({GateFailureKind::overall_below_minimum,
                                    {},
                                    {},
                                    verdict.overall_score,
                                    gate.min_overall_score});
    }
    verdict.passes = verdict.failures.empty();
    return verdict;
}

}  // namespace budget::labelling
