#pragma once
// What holders and the Mission read of an application (issue 17, docs/api.md "Initiative
// holders"): the Application JSON, the French sentence of every labelling::FieldProblem, the
// reading of a PUT body onto the fields, and the history that the rest of the campaign adds to
// the recorded steps (labelling::full_history over the committee's decision, the sealed ballot
// and the published results).
//
// Pure but for read_campaign_facts, which only reads the stores: handlers (holder_api.cpp,
// applications_api.cpp) call these and stay thin; the tests call them without a server.

#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/communes.hpp"
#include "config/config.hpp"
#include "labelling/application.hpp"
#include "labelling/questionnaire.hpp"
#include "labelling/radar_svg.hpp"
#include "server/api/app_context.hpp"
#include "server/storage/application_store.hpp"
#include "server/storage/campaign_store.hpp"
#include "server/storage/initiative_record.hpp"
#include "server/storage/labelling_store.hpp"

namespace budget::server::api {

// ---- words -------------------------------------------------------------------------------------
/// The form's name of a field ("Nom de la structure", "Montant demandé"...).
std::string_view field_label(labelling::Field field);

/// "732 829 320 00075" (no-break spaces) for 14 digits; anything else as it is.
std::string format_siret(std::string_view siret);
/// "12 000 €": narrow no-break spaces between thousands, a no-break space before the sign.
std::string format_euros(std::int64_t amount);

/// One French sentence for a problem of the file, precise about what to fix, e.g. « Le SIRET
/// 732 829 320 00075 n’a pas une clé valide : vérifiez les 14 chiffres. » `fields` gives the
/// values named (the SIRET, the commune, the amount), `questionnaire` the questions' texts and
/// scales.
std::string field_problem_text(const labelling::FieldProblem& problem,
                               const labelling::ApplicationFields& fields,
                               const labelling::Questionnaire& questionnaire);

/// `[{"field","message"}]`, in the order given.
boost::json::array problems_json(const std::vector<labelling::FieldProblem>& problems,
                                 const labelling::ApplicationFields& fields,
                                 const labelling::Questionnaire& questionnaire);

/// The message of a 422 invalid_application: "Rien n’a été enregistré : " and every sentence.
std::string invalid_application_message(const boost::json::array& problems);
/// The message of a 422 application_incomplete, counting what is left ("1 point", "3 points").
std::string incomplete_application_message(const boost::json::array& problems);

/// When the call runs, for call_not_open: "ouvert du 1er mars 2027 à 09:00 au 30 avril 2027 à
/// 18:00", "il ouvrira le ...", "il a fermé le ..." according to `now`.
std::string call_period_text(const config::CampaignConfig& campaign, std::int64_t now);
/// `{"opens","closes","state"}`: state "none" (no call configured), "upcoming", "open", "closed".
boost::json::object call_json(const config::CampaignConfig& campaign, std::int64_t now);

// ---- reading a body ----------------------------------------------------------------------------
/// Applies the keys of a POST/PUT body to `fields`: each known key present replaces its value
/// (null clears it), absent keys keep theirs, unknown keys are ignored (a client may send the
/// Application it read back). Text must be a string of clean UTF-8 (newlines only in the summary
/// and the description); `siret` is normalised (spaces removed); `requested_eur` an integer;
/// `self_assessment` an object of integers (null answers left out), which replaces the previous
/// answers whole. Returns one `{"field","message"}` per key of the wrong type; `fields` is only
/// meaningful when the result is empty.
boost::json::array apply_application_body(const boost::json::object& body,
                                          labelling::ApplicationFields& fields);

// ---- the campaign's facts ----------------------------------------------------------------------
/// What the rest of the campaign says, read once per request: the labelling (decisions), the
/// sealed ballot once the vote has opened, and the published results.
struct CampaignReading {
    std::optional<storage::LabellingSnapshot> labelling;
    std::shared_ptr<const storage::SealedBallot> ballot;  ///< null before the seal
    std::string ballot_at;                                ///< the vote's opening, RFC 3339
    std::optional<boost::json::object> results;           ///< the published results document
    std::string published_at;
};

/// The facts of one application (its id is the initiative's).
labelling::CampaignFacts campaign_facts(const CampaignReading& reading, std::string_view id);

/// Reads the labelling, the ballot (only once the vote has opened) and the published results;
/// std::nullopt when a store does not answer.
boost::asio::awaitable<std::optional<CampaignReading>> read_campaign_facts(const AppContext& ctx);

// ---- shapes ------------------------------------------------------------------------------------
struct ApplicationViewOptions {
    bool call_open = false;        ///< for "editable"
    bool staff = false;            ///< adds "owner_email"
    bool with_description = true;  ///< the Mission's list leaves the long text out
};

/// The holder's own radar (labelling::self_assessment_scores).
labelling::MarkerScores self_radar(const labelling::Questionnaire& questionnaire,
                                   const storage::StoredApplication& application);
/// The category that weighs the holder's own radar best, when every marker is scored; "" else.
std::string proposed_category(const labelling::Questionnaire& questionnaire,
                              const labelling::MarkerScores& radar);
/// The full history: the recorded steps, then what the facts add (labelling::full_history).
std::vector<labelling::StatusEvent> application_history(
    const storage::StoredApplication& application, const labelling::CampaignFacts& facts);

boost::json::object attachment_json(const storage::AttachmentMeta& attachment);

/// The Application of the contract (docs/api.md): fields with their labels and names, the own
/// radar and proposed category, the attachments, the full history (its last status is
/// "status"), and the problems that stop a submission.
boost::json::object application_json(const storage::StoredApplication& application,
                                     const labelling::Questionnaire& questionnaire,
                                     const config::CommuneDirectory& communes,
                                     const labelling::CampaignFacts& facts,
                                     const ApplicationViewOptions& options);

/// `[{"id","label"}]` of every legal form, in the form's order.
boost::json::array legal_forms_json();
/// `[{"id","label","cap_eur"}]` of the questionnaire's categories.
boost::json::array categories_json(const labelling::Questionnaire& questionnaire);

/// The initiative an admissible application becomes: its id, title, summary and holder
/// (trimmed), commune, the commune's territory, the amount. std::nullopt when the commune is not
/// in the directory (the file could not have been submitted so).
std::optional<storage::InitiativeRecord> initiative_of(
    const storage::StoredApplication& application, const config::CommuneDirectory& communes);

/// The radar's texts for a holder's self-assessment, titled after the application.
labelling::RadarTexts self_radar_texts(std::string_view title);

}  // namespace budget::server::api
