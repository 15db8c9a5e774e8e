#include "server/api/staff_api_detail.hpp"

#include <boost/json.hpp>
#include <chrono>
#include <climits>
#include <set>

#include "server/api/request_body.hpp"
#include "server/http/router.hpp"

namespace budget::server::staff_detail {

namespace json = boost::json;

Response detailed_error(ApiError error, unsigned version, std::string code, std::string message,
                        json::object extra) {
    // Status and headers come from the one mapping in api_error.cpp; only the body grows.
    auto res = error_response(error, version, message, code);
    json::object inner{{"code", code}, {"message", message}};
    for (auto& [key, value] : extra) inner[key] = std::move(value);
    json::object body{{"error", std::move(inner)}};
    res.body() = json::serialize(body);
    res.prepare_payload();
    return res;
}

Response sealed_response(unsigned version) {
    return reject(ApiError::conflict, version, "ballot_sealed",
                  "Le vote est ouvert : la liste des initiatives, leurs évaluations et les "
                  "décisions du comité sont scellées et ne peuvent plus changer.");
}

Response unknown_initiative(unsigned version, const std::string& id) {
    return reject(ApiError::not_found, version, "unknown_initiative",
                  "Aucune initiative n'a l'identifiant « " + safe_excerpt(id, 64) + " ».");
}

Response invalid_initiatives(unsigned version, std::string message,
                             const std::vector<InitiativeRowError>& rows) {
    if (message.empty()) {
        message = std::to_string(rows.size()) +
                  (rows.size() > 1 ? " initiatives sont refusées" : " initiative est refusée") +
                  " : rien n'a été enregistré. Corrigez les lignes signalées et renvoyez le lot "
                  "entier.";
    }
    json::object extra{{"rows", row_errors_json(rows)}};
    return detailed_error(ApiError::unprocessable, version, "invalid_initiatives",
                          std::move(message), std::move(extra));
}

Response invalid_answers(unsigned version, json::array problems) {
    std::string message;
    for (const auto& p : problems) {
        if (!message.empty()) message += ' ';
        message += json::value_to<std::string>(p.as_object().at("message"));
    }
    json::object extra{{"problems", std::move(problems)}};
    return detailed_error(ApiError::unprocessable, version, "invalid_answers", std::move(message),
                          std::move(extra));
}

const std::vector<StoredEvaluation>& evaluations_of(const LabellingSnapshot& snapshot,
                                                    std::string_view id) {
    static const std::vector<StoredEvaluation> kNone;
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

json::object scores_json(const labelling::MarkerScores& scores) {
    json::object out;
    for (const auto& [marker, score] : scores) out[marker] = score;
    return out;
}

}  // namespace

json::object initiative_json(const AppContext& ctx, const InitiativeRecord& r) {
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

json::object ballot_initiative_json(const AppContext& ctx, const BallotInitiative& b) {
    const auto* category = labelling::find_category(ctx.questionnaire, b.category);
    json::object radar;
    for (const auto& [marker, score] : b.radar) radar[marker] = score;
    return {{"id", b.id},
            {"title", b.title},
            {"summary", b.summary},
            {"holder", b.holder},
            {"commune", b.commune},
            {"commune_name", commune_name(ctx, b.commune)},
            {"territory", b.territory},
            {"territory_label", territory_label(ctx, b.territory)},
            {"category", b.category},
            {"category_label", category ? json::value(category->label) : json::value(nullptr)},
            {"requested_eur", b.requested_eur},
            {"amount_eur", b.amount_eur},
            {"radar", std::move(radar)}};
}

json::object stored_decision_json(const StoredDecision& d) {
    return {{"decision", d.decision},
            {"category", d.category.empty() ? json::value(nullptr) : json::value(d.category)},
            {"justification",
             d.justification.empty() ? json::value(nullptr) : json::value(d.justification)},
            {"by", d.by},
            {"at", d.at},
            {"gate_passes", d.gate_passes}};
}

json::value decision_json(const LabellingSnapshot& snapshot, std::string_view id) {
    const auto it = snapshot.decisions.find(id);
    if (it == snapshot.decisions.end()) return nullptr;
    return stored_decision_json(it->second);
}

json::object gate_json(const labelling::GateVerdict& gate) {
    json::array reasons;
    for (const auto& r : gate.reasons) reasons.emplace_back(r);
    return {{"passes", gate.passes},
            {"reasons", std::move(reasons)},
            {"overall_score", gate.overall_score}};
}

json::object radar_json(const AppContext& ctx, const LabellingSnapshot& snapshot,
                        const std::string& id, const std::string& username) {
    const auto& q = ctx.questionnaire;
    const auto review = review_initiative(q, evaluations_of(snapshot, id));
    json::array markers;
    for (const auto& m : q.markers)
        markers.push_back(json::object{{"id", m.id}, {"label", m.label}});
    json::value own = nullptr;
    if (const auto it = review.reviewer_scores.find(username); it != review.reviewer_scores.end()) {
        own = scores_json(it->second);
    }
    json::value proposal = nullptr;
    if (review.proposal) {
        const auto* c = labelling::find_category(q, review.proposal->category_id);
        proposal = json::object{{"id", review.proposal->category_id},
                                {"label", c ? c->label : ""},
                                {"score", review.proposal->score},
                                {"cap_eur", c ? c->cap_eur : 0}};
    }
    return {{"initiative", id},
            {"markers", std::move(markers)},
            {"aggregate", scores_json(review.aggregate)},
            {"reviewers", review.reviewers},
            {"stale_evaluations", review.stale_evaluations},
            {"own", std::move(own)},
            {"proposed_category", std::move(proposal)},
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
    std::set<std::string, std::less<>> reported;
    for (const auto& [key, value] : given) {
        std::string question = safe_excerpt(std::string_view(key.data(), key.size()), 100);
        if (value.is_int64() && value.as_int64() >= INT_MIN && value.as_int64() <= INT_MAX) {
            check.answers.emplace(std::move(question), static_cast<int>(value.as_int64()));
            continue;
        }
        check.problems.push_back(json::object{{"question", question},
                                              {"problem", "not_integer"},
                                              {"message", "La réponse à la question « " + question +
                                                              " » doit être un nombre entier."}});
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
                                              {"message", labelling::describe(problem)}});
    }
    return check;
}

std::optional<std::string> query_parameter(std::string_view query, std::string_view name) {
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        const auto eq = pair.find('=');
        if (pair.substr(0, eq) != name) continue;
        if (eq == std::string_view::npos) return std::string();
        return percent_decode(pair.substr(eq + 1), true);
    }
    return std::nullopt;
}

}  // namespace budget::server::staff_detail
