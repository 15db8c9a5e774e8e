#include "server/api/staff_views.hpp"

#include <boost/json.hpp>
#include <climits>
#include <set>

#include "labelling/review.hpp"
#include "server/api/labelling_text.hpp"
#include "server/api/request_body.hpp"

namespace budget::server::api {

namespace json = boost::json;

Response unknown_initiative(unsigned version, std::string_view id) {
    const auto excerpt = safe_excerpt(id, 64);
    return fail(Error::unknown_initiative, version, {excerpt});
}

Response invalid_initiatives(unsigned version, const std::vector<InitiativeRowError>& rows) {
    json::object extra{{"rows", row_errors_json(rows)}};
    if (rows.size() == 1)
        return fail_with(Error::invalid_initiatives_one, version, std::move(extra));
    const auto count = std::to_string(rows.size());
    return fail_with(Error::invalid_initiatives_many, version, std::move(extra), {count});
}

Response invalid_initiatives_shape(unsigned version, std::string_view message) {
    json::object extra{{"rows", json::array{}}};
    return fail_with(Error::invalid_initiatives_shape, version, std::move(extra), {message});
}

Response invalid_answers(unsigned version, json::array problems) {
    std::string message;
    for (const auto& p : problems) {
        if (!message.empty()) message += ' ';
        message += json::value_to<std::string>(p.as_object().at("message"));
    }
    json::object extra{{"problems", std::move(problems)}};
    return fail_with(Error::invalid_answers, version, std::move(extra), {message});
}

const std::vector<storage::StoredEvaluation>& evaluations_of(
    const storage::LabellingSnapshot& snapshot, std::string_view id) {
    static const std::vector<storage::StoredEvaluation> kNone;
    const auto it = snapshot.evaluations.find(id);
    return it == snapshot.evaluations.end() ? kNone : it->second;
}

namespace {

json::value commune_name(const AppContext& ctx, const std::string& code) {
    const auto* commune = ctx.communes.find(code);
    return commune ? json::value(commune->name) : json::value(nullptr);
}

json::value territory_label(const AppContext& ctx, const std::string& id) {
    const auto* territory = ctx.communes.territory(id);
    return territory ? json::value(territory->label) : json::value(nullptr);
}

template <typename Scores>
json::object scores_json(const Scores& scores) {
    json::object out;
    for (const auto& [marker, score] : scores) out[marker] = score;
    return out;
}

json::array questions_json(const labelling::Marker& marker) {
    json::array questions;
    for (const auto& question : marker.questions) {
        questions.push_back(json::object{
            {"id", question.id},
            {"text", question.text},
            {"scale", json::object{{"min", question.scale.min}, {"max", question.scale.max}}},
            {"weight", question.weight}});
    }
    return questions;
}

json::value proposal_json(const labelling::Questionnaire& q,
                          const std::optional<labelling::CategoryProposal>& proposal) {
    if (!proposal) return nullptr;
    const auto* c = labelling::find_category(q, proposal->category_id);
    return json::object{{"id", proposal->category_id},
                        {"label", c ? c->label : ""},
                        {"score", proposal->score},
                        {"cap_eur", c ? c->cap_eur : 0}};
}

}  // namespace

json::object questionnaire_json(const labelling::Questionnaire& q) {
    json::array markers;
    for (const auto& marker : q.markers) {
        markers.push_back(json::object{
            {"id", marker.id}, {"label", marker.label}, {"questions", questions_json(marker)}});
    }
    json::array categories;
    for (const auto& c : q.categories) {
        categories.push_back(
            json::object{{"id", c.id}, {"label", c.label}, {"cap_eur", c.cap_eur}});
    }
    return {{"markers", std::move(markers)},
            {"categories", std::move(categories)},
            {"gate", json::object{{"min_reviewers", q.gate.min_reviewers},
                                  {"min_marker_score", q.gate.min_marker_score},
                                  {"min_overall_score", q.gate.min_overall_score}}},
            {"digest", labelling::questionnaire_digest(q)}};
}

json::object initiative_json(const AppContext& ctx, const storage::InitiativeRecord& r) {
    return {{"id", r.id},
            {"title", r.title},
            {"summary", r.summary},
            {"holder", r.holder},
            {"commune", r.commune},
            {"commune_name", commune_name(ctx, r.commune)},
            {"territory", r.territory},
            {"territory_label", territory_label(ctx, r.territory)},
            {"requested_eur", r.requested_eur}};
}

json::object ballot_initiative_json(const AppContext& ctx,
                                    const storage::BallotInitiative& initiative) {
    const auto* category = labelling::find_category(ctx.questionnaire, initiative.category);
    return {{"id", initiative.id},
            {"title", initiative.title},
            {"summary", initiative.summary},
            {"holder", initiative.holder},
            {"commune", initiative.commune},
            {"commune_name", commune_name(ctx, initiative.commune)},
            {"territory", initiative.territory},
            {"territory_label", territory_label(ctx, initiative.territory)},
            {"category", initiative.category},
            {"category_label", category ? json::value(category->label) : json::value(nullptr)},
            {"requested_eur", initiative.requested_eur},
            {"amount_eur", initiative.amount_eur},
            {"radar", scores_json(initiative.radar)}};
}

json::object stored_decision_json(const storage::StoredDecision& d) {
    return {{"decision", d.decision},
            {"category", d.category.empty() ? json::value(nullptr) : json::value(d.category)},
            {"justification",
             d.justification.empty() ? json::value(nullptr) : json::value(d.justification)},
            {"by", d.by},
            {"at", d.at},
            {"gate_passes", d.gate_passes}};
}

json::value decision_json(const storage::LabellingSnapshot& snapshot, std::string_view id) {
    const auto it = snapshot.decisions.find(id);
    if (it == snapshot.decisions.end()) return nullptr;
    return stored_decision_json(it->second);
}

json::object gate_json(const labelling::GateVerdict& gate) {
    json::array reasons;
    for (auto& r : gate_reasons(gate)) reasons.emplace_back(std::move(r));
    return {{"passes", gate.passes},
            {"reasons", std::move(reasons)},
            {"overall_score", gate.overall_score}};
}

labelling::RadarOverlays committee_overlays(const labelling::Questionnaire& questionnaire,
                                            const labelling::InitiativeReview& review,
                                            std::string_view username) {
    labelling::RadarOverlays overlays;
    for (const auto& [reviewer, scores] : review.reviewer_scores) {
        if (reviewer == username) {
            overlays.own = scores;
        } else {
            overlays.others.push_back(scores);
        }
    }
    overlays.thresholds = labelling::gate_thresholds(questionnaire);
    return overlays;
}

json::object radar_json(const AppContext& ctx, const storage::LabellingSnapshot& snapshot,
                        const std::string& id, const std::string& username) {
    const auto& q = ctx.questionnaire;
    const auto review = labelling::review_initiative(q, evaluations_of(snapshot, id));
    json::array markers;
    for (const auto& m : q.markers) {
        markers.push_back(json::object{{"id", m.id}, {"label", m.label}});
    }
    const auto overlays = committee_overlays(q, review, username);
    json::value own = nullptr;
    if (overlays.own) own = scores_json(*overlays.own);
    json::object spread;
    for (const auto& [marker, range] : labelling::score_ranges(overlays.others)) {
        spread[marker] = json::object{{"min", range.min}, {"max", range.max}};
    }
    return {{"initiative", id},
            {"markers", std::move(markers)},
            {"aggregate", scores_json(review.aggregate)},
            {"reviewers", review.reviewers},
            {"stale_evaluations", review.stale_evaluations},
            {"own", std::move(own)},
            {"others", overlays.others.size()},
            {"spread", std::move(spread)},
            {"thresholds", scores_json(overlays.thresholds)},
            {"proposed_category", proposal_json(q, review.proposal)},
            {"gate", gate_json(review.gate)},
            {"decision", decision_json(snapshot, id)}};
}

namespace {

std::string_view problem_kind(labelling::AnswerProblemKind kind) {
    switch (kind) {
        case labelling::AnswerProblemKind::missing:
            return "missing";
        case labelling::AnswerProblemKind::unknown_question:
            return "unknown_question";
        case labelling::AnswerProblemKind::out_of_range:
            return "out_of_range";
    }
    return "invalid";
}

}  // namespace

AnswerCheck check_answers(const labelling::Questionnaire& questionnaire,
                          const json::object& given) {
    AnswerCheck check;
    // A non-integer answer is reported as such, not again as missing by the scoring below.
    std::set<std::string, std::less<>> reported;
    for (const auto& [key, value] : given) {
        std::string question = safe_excerpt(std::string_view(key.data(), key.size()), 100);
        if (value.is_int64() && value.as_int64() >= INT_MIN && value.as_int64() <= INT_MAX) {
            check.answers.emplace(std::move(question), static_cast<int>(value.as_int64()));
            continue;
        }
        check.problems.push_back(json::object{{"question", question},
                                              {"problem", "not_integer"},
                                              {"message", answer_not_integer_text(question)}});
        reported.insert(std::move(question));
    }
    auto scores = labelling::score_evaluation(questionnaire, {check.answers});
    if (scores) {
        if (check.problems.empty()) check.scores = std::move(*scores);
        return check;
    }
    for (const auto& problem : scores.error().problems) {
        if (reported.contains(problem.question_id)) continue;
        check.problems.push_back(json::object{{"question", problem.question_id},
                                              {"problem", problem_kind(problem.kind)},
                                              {"message", answer_problem_text(problem)}});
    }
    return check;
}

}  // namespace budget::server::api
