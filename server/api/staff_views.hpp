#pragma once
// What the labelling handlers (labelling_api.cpp) and the public ballot handlers
// (public_ballot_api.cpp) show: the JSON shapes of initiatives, radars, gates and decisions, the
// refusals that carry details (rows, problems), and the check of submitted answers.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "labelling/questionnaire.hpp"
#include "labelling/radar_svg.hpp"
#include "labelling/review.hpp"
#include "labelling/scoring.hpp"
#include "server/api/app_context.hpp"
#include "server/api/errors.hpp"
#include "server/api/initiative_rows.hpp"
#include "server/storage/campaign_store.hpp"
#include "server/storage/labelling_store.hpp"

namespace budget::server::api {

// ---- refusals with details -------------------------------------------------------------------
/// 404 unknown_initiative, naming (an excerpt of) the id.
Response unknown_initiative(unsigned version, std::string_view id);
/// 422 invalid_initiatives with every refused row.
Response invalid_initiatives(unsigned version, const std::vector<InitiativeRowError>& rows);
/// 422 invalid_initiatives when the body has the wrong shape (`message`, French), no rows.
Response invalid_initiatives_shape(unsigned version, std::string_view message);
/// 422 invalid_answers: the problems' sentences as the message, the problems themselves beside.
Response invalid_answers(unsigned version, boost::json::array problems);

// ---- shapes ------------------------------------------------------------------------------------
/// The evaluations of an initiative (empty list when none).
const std::vector<storage::StoredEvaluation>& evaluations_of(
    const storage::LabellingSnapshot& snapshot, std::string_view id);

/// The questionnaire as the committee's page shows it: markers and questions, categories, gate,
/// digest.
boost::json::object questionnaire_json(const labelling::Questionnaire& questionnaire);
/// An initiative with the names of its commune and territory.
boost::json::object initiative_json(const AppContext& ctx, const storage::InitiativeRecord& record);
/// An initiative of the ballot, in the shape of `GET /api/v1/initiatives`.
boost::json::object ballot_initiative_json(const AppContext& ctx,
                                           const storage::BallotInitiative& initiative);
boost::json::object stored_decision_json(const storage::StoredDecision& decision);
/// The decision on an initiative, or null.
boost::json::value decision_json(const storage::LabellingSnapshot& snapshot, std::string_view id);
boost::json::object gate_json(const labelling::GateVerdict& gate);
/// What a committee member sees over the aggregate: their own scores, the other reviewers'
/// scores (drawn as their spread) and the gate's minimum on every marker.
labelling::RadarOverlays committee_overlays(const labelling::Questionnaire& questionnaire,
                                            const labelling::InitiativeReview& review,
                                            std::string_view username);
/// What `GET .../radar` answers: aggregate, reviewers, own scores, the others' range per marker
/// (`spread`, {min, max}; empty without other reviewers), the gate's minimum per marker
/// (`thresholds`), proposal, gate, decision.
boost::json::object radar_json(const AppContext& ctx, const storage::LabellingSnapshot& snapshot,
                               const std::string& id, const std::string& username);

// ---- requests ----------------------------------------------------------------------------------
/// The answers of a `PUT .../evaluation` body checked against the questionnaire: every problem
/// (non-integer, missing, unknown, out of range) once, in French; scores when there is none.
struct AnswerCheck {
    labelling::Answers answers;
    boost::json::array problems;  ///< [{"question","problem","message"}]
    std::optional<labelling::MarkerScores> scores;
};
AnswerCheck check_answers(const labelling::Questionnaire& questionnaire,
                          const boost::json::object& given);

}  // namespace budget::server::api
