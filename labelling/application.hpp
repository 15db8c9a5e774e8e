#pragma once
// An initiative holder's application (issue 17): the file a citizen or an ESS structure builds
// during the call for initiatives, its checks, its statuses and the history the holder reads.
//
// Pure: values in, values out. The API words the problems in French (server/api), the store
// keeps the application as JSON (server/storage/application_store).
//
// Statuses: brouillon -> deposee -> recevable | irrecevable (Mission) -> labellisee | refusee
// (committee) -> au_vote -> laureate | non_retenue. The first four are recorded by the store;
// the others are derived from the labelling, the sealed ballot and the results (full_history),
// so that no second copy of a committee decision or of a result can disagree with the first.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "labelling/questionnaire.hpp"
#include "labelling/scoring.hpp"

namespace budget::labelling {

// ---- legal forms ------------------------------------------------------------------------------
enum class LegalForm {
    association,
    cooperative,
    scic,
    scop,
    mutuelle,
    fondation,
    entreprise_esus,
    collectif_habitants,
};

/// Every legal form, in the order the form lists them.
const std::vector<LegalForm>& legal_forms();
/// The id sent and stored: "association", "cooperative", "scic", "scop", "mutuelle",
/// "fondation", "entreprise_esus", "collectif_habitants".
std::string_view to_string(LegalForm form);
std::optional<LegalForm> parse_legal_form(std::string_view id);
/// "Association", "Coopérative", "SCIC", "SCOP", "Mutuelle", "Fondation", "Entreprise ESUS",
/// "Collectif d’habitants".
std::string_view french_label(LegalForm form);

// ---- SIRET ------------------------------------------------------------------------------------
/// Whether `siret` is 14 ASCII digits whose Luhn key is right (La Poste's establishments, SIREN
/// 356000000, follow their own rule: the sum of the digits is a multiple of 5). Spaces are not
/// accepted here: the caller removes them (normalise_siret).
bool siret_valid(std::string_view siret);
/// The SIRET without the spaces a person types between groups ("123 456 789 00012").
std::string normalise_siret(std::string_view typed);

// ---- statuses ---------------------------------------------------------------------------------
enum class ApplicationStatus {
    brouillon,
    deposee,
    recevable,
    irrecevable,
    labellisee,
    refusee,
    au_vote,
    laureate,
    non_retenue,
};

/// The ASCII id: "brouillon", "deposee", "recevable", "irrecevable", "labellisee", "refusee",
/// "au_vote", "laureate", "non_retenue".
std::string_view to_string(ApplicationStatus status);
std::optional<ApplicationStatus> parse_application_status(std::string_view id);
/// "Brouillon", "Déposée", "Recevable", "Irrecevable", "Labellisée", "Refusée", "Au vote",
/// "Lauréate", "Non retenue".
std::string_view french_label(ApplicationStatus status);

/// Whether the holder may still change the file: a draft or a submitted file, while the call is
/// open. Once the Mission has decided, the file is frozen.
bool holder_may_edit(ApplicationStatus status, bool call_open);

/// One step of the history: the status, when it was reached and, where a person decided, why.
struct StatusEvent {
    ApplicationStatus status = ApplicationStatus::brouillon;
    std::string at;      ///< RFC 3339
    std::string reason;  ///< admissibility reason, committee justification; may be empty
};

/// What the rest of the campaign says about an admitted application.
struct CampaignFacts {
    bool decided = false;  ///< the committee decided on the initiative
    bool labelled = false;
    std::string decided_at;
    std::string justification;  ///< the committee's, may be empty
    bool on_ballot = false;     ///< the ballot is sealed and holds the initiative
    std::string ballot_at;      ///< when the vote opened
    bool published = false;
    std::string published_at;
    bool winner = false;
};

/// The recorded history (brouillon, deposee, recevable|irrecevable) followed by what the facts
/// add, in order: labellisee|refusee, au_vote, laureate|non_retenue. Nothing is added after an
/// irrecevable or a refusee status, nor before recevable.
std::vector<StatusEvent> full_history(const std::vector<StatusEvent>& recorded,
                                      const CampaignFacts& facts);

// ---- the file ---------------------------------------------------------------------------------
/// What the holder types. `holder` is the structure's (or the collective's) name, as the
/// initiative will carry it.
struct ApplicationFields {
    std::string holder;
    std::string legal_form;  ///< an id of legal_forms(), or empty
    std::string siret;       ///< normalised (no spaces), or empty: optional
    std::string contact_name;
    std::string contact_email;
    std::string contact_phone;  ///< optional
    std::string commune;        ///< INSEE code
    std::string title;
    std::string summary;
    std::string description;
    std::int64_t requested_eur = 0;  ///< 0: not given yet
    Answers self_assessment;         ///< question id -> answer, possibly partial in a draft
};

/// Limits of the text fields, in characters (code points).
inline constexpr std::size_t kMaxHolderChars = 120;
inline constexpr std::size_t kMaxTitleChars = 120;
inline constexpr std::size_t kMaxSummaryChars = 400;
inline constexpr std::size_t kMaxDescriptionChars = 6000;
inline constexpr std::size_t kMaxContactChars = 120;
inline constexpr std::size_t kMaxPhoneChars = 20;
inline constexpr std::size_t kMaxReasonChars = 2000;
inline constexpr std::size_t kMinReasonChars = 10;  ///< an irrecevable decision says why
inline constexpr int kMaxAttachments = 3;
inline constexpr std::size_t kMaxAttachmentBytes = std::size_t{5} * 1024 * 1024;

enum class Field {
    holder,
    legal_form,
    siret,
    contact_name,
    contact_email,
    contact_phone,
    commune,
    title,
    summary,
    description,
    requested_eur,
    self_assessment,
};
/// The JSON name of the field ("holder", "legal_form", ..., "self_assessment").
std::string_view to_string(Field field);

enum class FieldProblemKind {
    missing,           ///< required to submit, not given
    too_long,          ///< over its limit (detail: the limit)
    invalid,           ///< not of its form (an e-mail, a phone number, an id of the list)
    bad_siret_key,     ///< 14 digits whose key is wrong
    unknown_commune,   ///< not a commune of the département
    over_cap,          ///< more than the largest category cap (detail: the cap)
    unknown_question,  ///< self-assessment: no such question (detail: its id)
    out_of_range,      ///< self-assessment: outside the question's scale (detail: its id)
    incomplete,        ///< self-assessment: questions left unanswered (detail: how many)
};

struct FieldProblem {
    Field field = Field::holder;
    FieldProblemKind kind = FieldProblemKind::missing;
    std::string detail;
};

/// What a draft may never hold, whatever its progress: a text over its limit, a legal form not
/// in the list, a negative amount, a self-assessment answer to an unknown question or outside
/// its scale. A draft with one of these is refused (422) and nothing is written.
std::vector<FieldProblem> draft_errors(const ApplicationFields& fields,
                                       const Questionnaire& questionnaire);

/// Everything that stops a (well-formed) draft from being submitted: required fields missing
/// (holder, legal_form, contact_name, contact_email, commune, title, summary, description,
/// requested_eur), an e-mail or phone of the wrong form, a SIRET that is not 14 digits or whose
/// key is wrong, an unknown commune (`commune_known`), an amount above the largest category cap,
/// a self-assessment that does not answer every question. Empty: the file may be submitted.
std::vector<FieldProblem> submission_problems(
    const ApplicationFields& fields, const Questionnaire& questionnaire,
    const std::function<bool(std::string_view)>& commune_known);

/// The holder's own radar: each marker whose questions are all answered, scored as a committee
/// member's evaluation would be (score_evaluation); markers not fully answered are left out.
MarkerScores self_assessment_scores(const Questionnaire& questionnaire, const Answers& answers);

// ---- attachments ------------------------------------------------------------------------------
/// Whether the bytes are a PDF by their content: they start with "%PDF-1." or "%PDF-2." and an
/// "%%EOF" marker lies within their last 1,024 bytes. The declared Content-Type is not enough.
bool looks_like_pdf(std::string_view bytes);

/// A file name fit to show and to send back in Content-Disposition: the last path component,
/// control characters, quotes, backslashes and slashes removed, at most 100 code points, ".pdf"
/// added when missing; "document.pdf" when nothing is left.
std::string clean_attachment_name(std::string_view name);

}  // namespace budget::labelling
