#pragma once
// Answers and JSON shapes shared by the staff and public handlers (staff_api.cpp,
// staff_public.cpp). Internal to those two files.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/paris_time.hpp"
#include "labelling/scoring.hpp"
#include "server/api_error.hpp"
#include "server/app_context.hpp"
#include "server/campaign_store.hpp"
#include "server/labelling_store.hpp"
#include "server/staff_initiatives.hpp"

namespace budget::server::staff_detail {

using config::unix_now;
using server::reject;
/// The same with more fields in the `error` object (rows, problems, gate...).
Response detailed_error(ApiError error, unsigned version, std::string code, std::string message,
                        boost::json::object extra);
/// 409 ballot_sealed: from the opening of the vote the labelling is frozen.
Response sealed_response(unsigned version);
Response unknown_initiative(unsigned version, const std::string& id);
/// 422 invalid_initiatives with its rows; `message` empty for the default one.
Response invalid_initiatives(unsigned version, std::string message,
                             const std::vector<InitiativeRowError>& rows);
Response invalid_answers(unsigned version, boost::json::array problems);

/// The evaluations of an initiative (empty list when none).
const std::vector<StoredEvaluation>& evaluations_of(const LabellingSnapshot& snapshot,
                                                    std::string_view id);

/// An initiative with the names of its commune and territory.
boost::json::object initiative_json(const AppContext& ctx, const InitiativeRecord& record);
/// An initiative of the ballot, in the shape of `GET /api/v1/initiatives`.
boost::json::object ballot_initiative_json(const AppContext& ctx, const BallotInitiative& b);
boost::json::object stored_decision_json(const StoredDecision& decision);
/// The decision on an initiative, or null.
boost::json::value decision_json(const LabellingSnapshot& snapshot, std::string_view id);
boost::json::object gate_json(const labelling::GateVerdict& gate);
/// What `GET .../radar` answers: aggregate, reviewers, own scores, proposal, gate, decision.
boost::json::object radar_json(const AppContext& ctx, const LabellingSnapshot& snapshot,
                               const std::string& id, const std::string& username);

/// The answers of a `PUT .../evaluation` body checked against the questionnaire: every problem
/// (non-integer, missing, unknown, out of range) once, in French; scores when there is none.
struct AnswerCheck {
    labelling::Answers answers;
    boost::json::array problems;  ///< [{"question","problem","message"}]
    std::optional<labelling::MarkerScores> scores;
};
AnswerCheck check_answers(const labelling::Questionnaire& questionnaire,
                          const boost::json::object& given);

/// The decoded value of `name` in a query string; std::nullopt when absent.
std::optional<std::string> query_parameter(std::string_view query, std::string_view name);

}  // namespace budget::server::staff_detail
