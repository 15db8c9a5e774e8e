#include "labelling/review.hpp"

namespace budget::labelling {

InitiativeReview review_initiative(const Questionnaire& questionnaire,
                                   const std::vector<ReviewerEvaluation>& evaluations) {
    InitiativeReview review;
    std::vector<MarkerScores> all;
    for (const auto& evaluation : evaluations) {
        auto scores = score_evaluation(questionnaire, {evaluation.answers});
        if (!scores) {
            ++review.stale_evaluations;
            continue;
        }
        all.push_back(*scores);
        review.reviewer_scores.emplace(evaluation.username, std::move(*scores));
    }
    review.reviewers = static_cast<int>(all.size());
    review.aggregate = aggregate(all);
    review.gate = evaluate_gate(questionnaire, review.aggregate, review.reviewers);
    if (review.reviewers > 0) review.proposal = propose_category(questionnaire, review.aggregate);
    return review;
}

}  // namespace budget::labelling
