#include "labelling/application.hpp"

#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "test_questionnaire.hpp"

namespace lab = budget::labelling;
using lab::ApplicationStatus;
using lab::Field;
using lab::FieldProblemKind;
using lab::testing::full_marks;
using lab::testing::small_questionnaire;

namespace {

/// A file that small_questionnaire() lets be submitted: every required field, a valid SIRET,
/// a phone, a known commune, an amount under the largest cap, every question answered.
lab::ApplicationFields complete_fields() {
    lab::ApplicationFields f;
    f.holder = "Les Jardins partagés de la Brèche";
    f.legal_form = "association";
    f.siret = "73282932000074";
    f.contact_name = "Éloïse Martin";
    f.contact_email = "eloise@example.org";
    f.contact_phone = "+33 6 12 34 56 78";
    f.commune = "79191";
    f.title = "Un jardin partagé";
    f.summary = "Des parcelles pour les habitants du quartier.";
    f.description = "Nous aménageons une friche en jardin partagé, ouvert à tous.";
    f.requested_eur = 1500;
    f.self_assessment = full_marks().answers;
    return f;
}

bool known_commune(std::string_view code) { return code == "79191" || code == "79049"; }

std::vector<lab::FieldProblem> problems_of(const lab::ApplicationFields& f) {
    return lab::submission_problems(f, small_questionnaire(), known_commune);
}

/// The problems as "field:kind:detail" strings, for readable comparisons.
std::vector<std::string> described(const std::vector<lab::FieldProblem>& problems) {
    std::vector<std::string> out;
    for (const auto& p : problems) {
        std::string kind;
        switch (p.kind) {
            case FieldProblemKind::missing:
                kind = "missing";
                break;
            case FieldProblemKind::too_long:
                kind = "too_long";
                break;
            case FieldProblemKind::invalid:
                kind = "invalid";
                break;
            case FieldProblemKind::bad_siret_key:
                kind = "bad_siret_key";
                break;
            case FieldProblemKind::unknown_commune:
                kind = "unknown_commune";
                break;
            case FieldProblemKind::over_cap:
                kind = "over_cap";
                break;
            case FieldProblemKind::unknown_question:
                kind = "unknown_question";
                break;
            case FieldProblemKind::out_of_range:
                kind = "out_of_range";
                break;
            case FieldProblemKind::incomplete:
                kind = "incomplete";
                break;
        }
        out.push_back(std::string(lab::to_string(p.field)) + ":" + kind +
                      (p.detail.empty() ? "" : ":" + p.detail));
    }
    return out;
}

std::vector<std::string> submission_of(const lab::ApplicationFields& f) {
    return described(problems_of(f));
}

std::vector<std::string> draft_of(const lab::ApplicationFields& f) {
    return described(lab::draft_errors(f, small_questionnaire()));
}

std::string repeat(std::string_view unit, std::size_t times) {
    std::string out;
    for (std::size_t i = 0; i < times; ++i) out += unit;
    return out;
}

using Events = std::vector<lab::StatusEvent>;

std::vector<ApplicationStatus> statuses(const Events& events) {
    std::vector<ApplicationStatus> out;
    for (const auto& e : events) out.push_back(e.status);
    return out;
}

/// brouillon, deposee, then the Mission's decision.
Events recorded_until(ApplicationStatus decision, std::string reason = {}) {
    return {{ApplicationStatus::brouillon, "2026-01-05T09:00:00+01:00", {}},
            {ApplicationStatus::deposee, "2026-01-12T18:30:00+01:00", {}},
            {decision, "2026-01-20T10:00:00+01:00", std::move(reason)}};
}

lab::CampaignFacts every_fact(bool labelled, bool winner) {
    lab::CampaignFacts facts;
    facts.decided = true;
    facts.labelled = labelled;
    facts.decided_at = "2026-02-01T14:00:00+01:00";
    facts.justification = "Un projet solide et bien ancré.";
    facts.on_ballot = labelled;
    facts.ballot_at = "2026-03-01T08:00:00+01:00";
    facts.published = true;
    facts.published_at = "2026-03-20T20:00:00+01:00";
    facts.winner = winner;
    return facts;
}

}  // namespace

// ---- SIRET ------------------------------------------------------------------------------------

TEST_CASE("a SIRET with a right Luhn key is valid", "[labelling][application][siret]") {
    CHECK(lab::siret_valid("73282932000074"));
    CHECK(lab::siret_valid("55210055400013"));
}

TEST_CASE("La Poste's head office keeps the Luhn key, its establishments a sum multiple of 5",
          "[labelling][application][siret]") {
    CHECK(lab::siret_valid("35600000000048"));
    // Luhn would refuse it; the sum of its digits (45) is a multiple of 5.
    CHECK(lab::siret_valid("35600000049837"));
    CHECK_FALSE(lab::siret_valid("35600000049838"));
}

TEST_CASE("a SIRET with a wrong key, a wrong length or letters is not valid",
          "[labelling][application][siret]") {
    CHECK_FALSE(lab::siret_valid("73282932000075"));
    CHECK_FALSE(lab::siret_valid("12345678900017"));
    CHECK_FALSE(lab::siret_valid("7328293200007"));    // 13 digits
    CHECK_FALSE(lab::siret_valid("732829320000740"));  // 15 digits
    CHECK_FALSE(lab::siret_valid("7328293200007A"));
    CHECK_FALSE(lab::siret_valid("ABCDEFGHIJKLMN"));
    CHECK_FALSE(lab::siret_valid("732 829 320 00074"));  // spaces are removed by the caller
    CHECK_FALSE(lab::siret_valid(""));
}

TEST_CASE("normalise_siret removes the spaces typed or pasted between groups",
          "[labelling][application][siret]") {
    CHECK(lab::normalise_siret("732 829 320 00074") == "73282932000074");
    CHECK(lab::normalise_siret("  73282932000074 ") == "73282932000074");
    CHECK(lab::normalise_siret("732\xC2\xA0"
                               "829\xE2\x80\xAF"
                               "320\t00074") == "73282932000074");
    CHECK(lab::normalise_siret("") == "");
    // Only spaces go: anything else stays for the check to refuse.
    CHECK(lab::normalise_siret("732-829") == "732-829");
}

// ---- legal forms and statuses -----------------------------------------------------------------

TEST_CASE("every legal form has an id and a French label and its id reads back",
          "[labelling][application]") {
    const std::vector<std::pair<std::string, std::string>> expected{
        {"association", "Association"},
        {"cooperative", "Coopérative"},
        {"scic", "SCIC"},
        {"scop", "SCOP"},
        {"mutuelle", "Mutuelle"},
        {"fondation", "Fondation"},
        {"entreprise_esus", "Entreprise ESUS"},
        {"collectif_habitants", "Collectif d’habitants"},
    };
    const auto& forms = lab::legal_forms();
    REQUIRE(forms.size() == expected.size());
    for (std::size_t i = 0; i < forms.size(); ++i) {
        CHECK(lab::to_string(forms[i]) == expected[i].first);
        CHECK(lab::french_label(forms[i]) == expected[i].second);
        const auto parsed = lab::parse_legal_form(expected[i].first);
        REQUIRE(parsed.has_value());
        CHECK(*parsed == forms[i]);
    }
    CHECK_FALSE(lab::parse_legal_form("sarl").has_value());
    CHECK_FALSE(lab::parse_legal_form("Association").has_value());
    CHECK_FALSE(lab::parse_legal_form("").has_value());
}

TEST_CASE("every status has an id and a French label and its id reads back",
          "[labelling][application]") {
    const std::vector<std::tuple<ApplicationStatus, std::string, std::string>> expected{
        {ApplicationStatus::brouillon, "brouillon", "Brouillon"},
        {ApplicationStatus::deposee, "deposee", "Déposée"},
        {ApplicationStatus::recevable, "recevable", "Recevable"},
        {ApplicationStatus::irrecevable, "irrecevable", "Irrecevable"},
        {ApplicationStatus::labellisee, "labellisee", "Labellisée"},
        {ApplicationStatus::refusee, "refusee", "Refusée"},
        {ApplicationStatus::au_vote, "au_vote", "Au vote"},
        {ApplicationStatus::laureate, "laureate", "Lauréate"},
        {ApplicationStatus::non_retenue, "non_retenue", "Non retenue"},
    };
    for (const auto& [status, id, label] : expected) {
        CHECK(lab::to_string(status) == id);
        CHECK(lab::french_label(status) == label);
        CHECK(lab::parse_application_status(id) == status);
    }
    CHECK_FALSE(lab::parse_application_status("lauréate").has_value());
    CHECK_FALSE(lab::parse_application_status("").has_value());
}

TEST_CASE("every field has its JSON name", "[labelling][application]") {
    CHECK(lab::to_string(Field::holder) == "holder");
    CHECK(lab::to_string(Field::legal_form) == "legal_form");
    CHECK(lab::to_string(Field::siret) == "siret");
    CHECK(lab::to_string(Field::contact_name) == "contact_name");
    CHECK(lab::to_string(Field::contact_email) == "contact_email");
    CHECK(lab::to_string(Field::contact_phone) == "contact_phone");
    CHECK(lab::to_string(Field::commune) == "commune");
    CHECK(lab::to_string(Field::title) == "title");
    CHECK(lab::to_string(Field::summary) == "summary");
    CHECK(lab::to_string(Field::description) == "description");
    CHECK(lab::to_string(Field::requested_eur) == "requested_eur");
    CHECK(lab::to_string(Field::self_assessment) == "self_assessment");
}

TEST_CASE("a holder edits a draft or a submitted file while the call is open, nothing after",
          "[labelling][application]") {
    CHECK(lab::holder_may_edit(ApplicationStatus::brouillon, true));
    CHECK(lab::holder_may_edit(ApplicationStatus::deposee, true));
    CHECK_FALSE(lab::holder_may_edit(ApplicationStatus::brouillon, false));
    CHECK_FALSE(lab::holder_may_edit(ApplicationStatus::deposee, false));
    for (const auto status :
         {ApplicationStatus::recevable, ApplicationStatus::irrecevable,
          ApplicationStatus::labellisee, ApplicationStatus::refusee, ApplicationStatus::au_vote,
          ApplicationStatus::laureate, ApplicationStatus::non_retenue}) {
        CHECK_FALSE(lab::holder_may_edit(status, true));
        CHECK_FALSE(lab::holder_may_edit(status, false));
    }
}

// ---- full_history -----------------------------------------------------------------------------

TEST_CASE("full_history adds labellisee, au_vote and laureate after recevable, in order",
          "[labelling][application][history]") {
    const auto history =
        lab::full_history(recorded_until(ApplicationStatus::recevable), every_fact(true, true));
    REQUIRE(statuses(history) ==
            std::vector{ApplicationStatus::brouillon, ApplicationStatus::deposee,
                        ApplicationStatus::recevable, ApplicationStatus::labellisee,
                        ApplicationStatus::au_vote, ApplicationStatus::laureate});
    CHECK(history[3].at == "2026-02-01T14:00:00+01:00");
    CHECK(history[3].reason == "Un projet solide et bien ancré.");
    CHECK(history[4].at == "2026-03-01T08:00:00+01:00");
    CHECK(history[4].reason.empty());
    CHECK(history[5].at == "2026-03-20T20:00:00+01:00");
    CHECK(history[5].reason.empty());
}

TEST_CASE("full_history says non_retenue for a labelled initiative that did not win",
          "[labelling][application][history]") {
    const auto history =
        lab::full_history(recorded_until(ApplicationStatus::recevable), every_fact(true, false));
    CHECK(statuses(history).back() == ApplicationStatus::non_retenue);
    CHECK(history.size() == 6);
}

TEST_CASE("full_history stops at the step the campaign has reached",
          "[labelling][application][history]") {
    const auto recorded = recorded_until(ApplicationStatus::recevable);

    SECTION("not decided yet: the recorded history only") {
        auto facts = every_fact(true, true);
        facts.decided = false;
        CHECK(lab::full_history(recorded, facts).size() == 3);
    }
    SECTION("labelled, the ballot not sealed yet") {
        auto facts = every_fact(true, true);
        facts.on_ballot = false;
        CHECK(statuses(lab::full_history(recorded, facts)).back() == ApplicationStatus::labellisee);
        CHECK(lab::full_history(recorded, facts).size() == 4);
    }
    SECTION("on the ballot, the results not published") {
        auto facts = every_fact(true, true);
        facts.published = false;
        const auto history = lab::full_history(recorded, facts);
        CHECK(history.size() == 5);
        CHECK(history.back().status == ApplicationStatus::au_vote);
    }
}

TEST_CASE("full_history adds nothing after a refusal, with the committee's justification",
          "[labelling][application][history]") {
    auto facts = every_fact(false, false);
    facts.on_ballot = true;  // even a contradicting fact adds nothing after refusee
    facts.justification = "Le projet relève d’une autre politique publique.";
    const auto history = lab::full_history(recorded_until(ApplicationStatus::recevable), facts);
    REQUIRE(history.size() == 4);
    CHECK(history.back().status == ApplicationStatus::refusee);
    CHECK(history.back().reason == "Le projet relève d’une autre politique publique.");
    CHECK(history.back().at == "2026-02-01T14:00:00+01:00");
}

TEST_CASE("full_history adds nothing after irrecevable and keeps the Mission's reason",
          "[labelling][application][history]") {
    const auto recorded =
        recorded_until(ApplicationStatus::irrecevable, "Le projet sort du territoire.");
    const auto history = lab::full_history(recorded, every_fact(true, true));
    REQUIRE(history.size() == 3);
    CHECK(history.back().status == ApplicationStatus::irrecevable);
    CHECK(history.back().reason == "Le projet sort du territoire.");
}

TEST_CASE("full_history derives nothing before the file is recevable",
          "[labelling][application][history]") {
    const auto facts = every_fact(true, true);
    const Events draft{{ApplicationStatus::brouillon, "2026-01-05T09:00:00+01:00", {}}};
    CHECK(statuses(lab::full_history(draft, facts)) == std::vector{ApplicationStatus::brouillon});
    Events submitted = draft;
    submitted.push_back({ApplicationStatus::deposee, "2026-01-12T18:30:00+01:00", {}});
    CHECK(lab::full_history(submitted, facts).size() == 2);
    CHECK(lab::full_history({}, facts).empty());
}

// ---- draft_errors -----------------------------------------------------------------------------

TEST_CASE("a complete file and an empty draft hold no draft error", "[labelling][application]") {
    CHECK(draft_of(complete_fields()).empty());
    CHECK(draft_of(lab::ApplicationFields{}).empty());
}

TEST_CASE("text limits are counted in characters, not bytes", "[labelling][application]") {
    auto f = complete_fields();
    // 120 'é' are 240 bytes but 120 characters: at the limit, accepted.
    f.holder = repeat("é", lab::kMaxHolderChars);
    f.title = repeat("’", lab::kMaxTitleChars);
    f.summary = repeat("a", lab::kMaxSummaryChars);
    f.description = repeat("œ", lab::kMaxDescriptionChars);
    CHECK(draft_of(f).empty());

    f.holder += "é";
    f.title += "x";
    f.summary += "a";
    f.description += "œ";
    f.contact_name = repeat("É", lab::kMaxContactChars + 1);
    f.contact_phone = repeat("0", lab::kMaxPhoneChars + 1);
    CHECK(draft_of(f) ==
          std::vector<std::string>{"holder:too_long:120", "contact_name:too_long:120",
                                   "contact_phone:too_long:20", "title:too_long:120",
                                   "summary:too_long:400", "description:too_long:6000"});
}

TEST_CASE("the e-mail, SIRET and commune of a draft are bounded too", "[labelling][application]") {
    auto f = complete_fields();
    f.contact_email = repeat("a", 250) + "@e.fr";
    f.siret = "732829320000741";
    f.commune = "79191791917";
    CHECK(draft_of(f) == std::vector<std::string>{"siret:too_long:14", "contact_email:too_long:254",
                                                  "commune:too_long:10"});
}

TEST_CASE("a draft may not name a legal form outside the list", "[labelling][application]") {
    auto f = complete_fields();
    f.legal_form = "sarl";
    CHECK(draft_of(f) == std::vector<std::string>{"legal_form:invalid"});
    f.legal_form = "";
    CHECK(draft_of(f).empty());
}

TEST_CASE("a draft may not ask for a negative amount", "[labelling][application]") {
    auto f = complete_fields();
    f.requested_eur = -1;
    CHECK(draft_of(f) == std::vector<std::string>{"requested_eur:invalid"});
    f.requested_eur = 0;
    CHECK(draft_of(f).empty());
}

TEST_CASE("a draft's self-assessment answers only known questions, within their scale",
          "[labelling][application]") {
    lab::ApplicationFields f;
    f.self_assessment = {{"a1", 4}, {"a3", 0}, {"b2", 3}, {"zz", 1}, {"b1", -1}, {"a2", 0}};
    // In question id order: a3 is 1..5, b1 and b2 0..2, zz unknown.
    CHECK(draft_of(f) == std::vector<std::string>{"self_assessment:out_of_range:a3",
                                                  "self_assessment:out_of_range:b1",
                                                  "self_assessment:out_of_range:b2",
                                                  "self_assessment:unknown_question:zz"});
}

// ---- submission_problems ----------------------------------------------------------------------

TEST_CASE("a complete file may be submitted", "[labelling][application]") {
    CHECK(submission_of(complete_fields()).empty());
    auto f = complete_fields();
    f.siret.clear();
    f.contact_phone.clear();  // both optional
    CHECK(submission_of(f).empty());
}

TEST_CASE("every required field left empty is named, in form order", "[labelling][application]") {
    lab::ApplicationFields f;
    f.siret = "";
    CHECK(submission_of(f) ==
          std::vector<std::string>{"holder:missing", "legal_form:missing", "contact_name:missing",
                                   "contact_email:missing", "commune:missing", "title:missing",
                                   "summary:missing", "description:missing",
                                   "requested_eur:missing", "self_assessment:incomplete:6"});
}

TEST_CASE("a required field of spaces only is missing", "[labelling][application]") {
    auto f = complete_fields();
    f.title = "   ";
    f.summary = "\n\t";
    CHECK(submission_of(f) == std::vector<std::string>{"title:missing", "summary:missing"});
}

TEST_CASE("each missing field is reported alone", "[labelling][application]") {
    const std::vector<std::pair<std::string lab::ApplicationFields::*, std::string>> fields{
        {&lab::ApplicationFields::holder, "holder:missing"},
        {&lab::ApplicationFields::legal_form, "legal_form:missing"},
        {&lab::ApplicationFields::contact_name, "contact_name:missing"},
        {&lab::ApplicationFields::contact_email, "contact_email:missing"},
        {&lab::ApplicationFields::commune, "commune:missing"},
        {&lab::ApplicationFields::title, "title:missing"},
        {&lab::ApplicationFields::summary, "summary:missing"},
        {&lab::ApplicationFields::description, "description:missing"},
    };
    for (const auto& [member, expected] : fields) {
        auto f = complete_fields();
        (f.*member).clear();
        CHECK(submission_of(f) == std::vector<std::string>{expected});
    }
    auto f = complete_fields();
    f.requested_eur = 0;
    CHECK(submission_of(f) == std::vector<std::string>{"requested_eur:missing"});
}

TEST_CASE("a contact e-mail must be something@something.tld without spaces",
          "[labelling][application]") {
    for (const std::string& bad : std::vector<std::string>{
             "eloise", "eloise@", "@example.org", "eloise@example", "eloise@.org",
             "eloise@example.", "eloise@exa..mple.org", "eloise@@example.org",
             "elo ise@example.org", "eloise@example.org\r\nBcc: x@y.fr", "<eloise@example.org>",
             repeat("a", 250) + "@e.fr"}) {  // the last: 255 bytes
        auto f = complete_fields();
        f.contact_email = bad;
        INFO(bad);
        CHECK(submission_of(f) == std::vector<std::string>{"contact_email:invalid"});
    }
    auto f = complete_fields();
    f.contact_email = "eloise.martin+budget@mairie-niort.fr";
    CHECK(submission_of(f).empty());
}

TEST_CASE("a contact phone has digits, spaces, dots, a leading + and at least 10 digits",
          "[labelling][application]") {
    for (const std::string good :
         {"0612345678", "06 12 34 56 78", "06.12.34.56.78", "+33 6 12 34 56 78", "+33612345678"}) {
        auto f = complete_fields();
        f.contact_phone = good;
        INFO(good);
        CHECK(submission_of(f).empty());
    }
    for (const std::string bad : {"061234567", "06-12-34-56-78", "06 12 34 56 7a", "33+612345678",
                                  "(+33) 612345678", "+33 6 12 34 56 78 90 12"}) {
        auto f = complete_fields();
        f.contact_phone = bad;
        INFO(bad);
        CHECK(submission_of(f) == std::vector<std::string>{"contact_phone:invalid"});
    }
}

TEST_CASE("a SIRET that is not 14 digits is invalid, one with a wrong key says so",
          "[labelling][application]") {
    auto f = complete_fields();
    f.siret = "73282932000075";
    CHECK(submission_of(f) == std::vector<std::string>{"siret:bad_siret_key"});
    f.siret = "7328293200007";
    CHECK(submission_of(f) == std::vector<std::string>{"siret:invalid"});
    f.siret = "7328293200007A";
    CHECK(submission_of(f) == std::vector<std::string>{"siret:invalid"});
    f.siret = "35600000049837";  // La Poste's own rule
    CHECK(submission_of(f).empty());
}

TEST_CASE("the commune must be known to the caller's predicate", "[labelling][application]") {
    auto f = complete_fields();
    f.commune = "75056";
    CHECK(submission_of(f) == std::vector<std::string>{"commune:unknown_commune"});
    f.commune = "79049";
    CHECK(submission_of(f).empty());
    std::vector<std::string> asked;
    lab::submission_problems(f, small_questionnaire(), [&](std::string_view code) {
        asked.emplace_back(code);
        return true;
    });
    CHECK(asked == std::vector<std::string>{"79049"});
}

TEST_CASE("the amount may reach the largest category cap, not exceed it",
          "[labelling][application]") {
    auto f = complete_fields();
    f.requested_eur = 2000;  // "second" caps at 2000, "first" at 1000
    CHECK(submission_of(f).empty());
    f.requested_eur = 2001;
    CHECK(submission_of(f) == std::vector<std::string>{"requested_eur:over_cap:2000"});
    f.requested_eur = -5;
    CHECK(submission_of(f) == std::vector<std::string>{"requested_eur:invalid"});
}

TEST_CASE("an incomplete self-assessment says how many questions are left",
          "[labelling][application]") {
    auto f = complete_fields();
    f.self_assessment.erase("a2");
    f.self_assessment.erase("b3");
    CHECK(submission_of(f) == std::vector<std::string>{"self_assessment:incomplete:2"});
    f.self_assessment.erase("a1");
    CHECK(submission_of(f) == std::vector<std::string>{"self_assessment:incomplete:3"});
}

TEST_CASE("a legal form outside the list cannot be submitted either", "[labelling][application]") {
    auto f = complete_fields();
    f.legal_form = "sarl";
    CHECK(submission_of(f) == std::vector<std::string>{"legal_form:invalid"});
}

// ---- self_assessment_scores -------------------------------------------------------------------

TEST_CASE("the holder's radar scores fully answered markers as an evaluation would",
          "[labelling][application]") {
    const auto q = small_questionnaire();
    const lab::Answers all{{"a1", 2}, {"a2", 1}, {"a3", 4}, {"b1", 1}, {"b2", 2}, {"b3", 0}};
    const auto committee = lab::score_evaluation(q, lab::Evaluation{all});
    REQUIRE(committee.has_value());
    CHECK(lab::self_assessment_scores(q, all) == *committee);

    SECTION("a partly answered marker is left out") {
        lab::Answers partial = all;
        partial.erase("b3");
        const auto scores = lab::self_assessment_scores(q, partial);
        CHECK(scores == lab::MarkerScores{{"a", committee->at("a")}});
    }
    SECTION("nothing answered, no marker") { CHECK(lab::self_assessment_scores(q, {}).empty()); }
    SECTION("a marker with an answer outside its scale is left out") {
        lab::Answers wrong = all;
        wrong["a3"] = 0;
        CHECK(lab::self_assessment_scores(q, wrong) ==
              lab::MarkerScores{{"b", committee->at("b")}});
    }
    SECTION("full marks give 100 on every marker") {
        CHECK(lab::self_assessment_scores(q, full_marks().answers) ==
              lab::MarkerScores{{"a", 100}, {"b", 100}});
    }
}

// ---- attachments ------------------------------------------------------------------------------

TEST_CASE("a PDF is recognised by its header and its %%EOF trailer", "[labelling][application]") {
    const std::string body = "\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n";
    CHECK(lab::looks_like_pdf("%PDF-1.7" + body + "%%EOF\n"));
    CHECK(lab::looks_like_pdf("%PDF-2.0" + body + "%%EOF"));
    // A large file whose trailer is at its end.
    CHECK(lab::looks_like_pdf("%PDF-1.4\n" + std::string(200'000, 'x') + "\n%%EOF\r\n"));
    // %%EOF ends just inside the last 1,024 bytes.
    CHECK(lab::looks_like_pdf("%PDF-1.4\n" + std::string(5000, 'x') + "%%EOF" +
                              std::string(1019, ' ')));
}

TEST_CASE("bytes that only pretend to be a PDF are refused", "[labelling][application]") {
    const std::string body = "\n1 0 obj << >> endobj\n";
    CHECK_FALSE(lab::looks_like_pdf(""));
    CHECK_FALSE(lab::looks_like_pdf("%PDF"));
    CHECK_FALSE(lab::looks_like_pdf("%PDF-1.7"));
    CHECK_FALSE(lab::looks_like_pdf("%PDF-1.7" + body));  // truncated: no trailer
    CHECK_FALSE(lab::looks_like_pdf("%PDF-3.0" + body + "%%EOF"));
    CHECK_FALSE(lab::looks_like_pdf(" %PDF-1.7" + body + "%%EOF"));
    CHECK_FALSE(lab::looks_like_pdf("<!DOCTYPE html><html><body>%PDF-1.7 %%EOF</body></html>"));
    // The marker too far from the end: something was appended after the document.
    CHECK_FALSE(lab::looks_like_pdf("%PDF-1.4\n" + std::string(5000, 'x') + "%%EOF" +
                                    std::string(1020, ' ')));
}

TEST_CASE("an attachment name keeps its last component, without what could bend a header",
          "[labelling][application]") {
    CHECK(lab::clean_attachment_name("budget prévisionnel.pdf") == "budget prévisionnel.pdf");
    CHECK(lab::clean_attachment_name("C:\\Users\\eloise\\Statuts.pdf") == "Statuts.pdf");
    CHECK(lab::clean_attachment_name("/home/eloise/docs/statuts.pdf") == "statuts.pdf");
    CHECK(lab::clean_attachment_name("../../etc/passwd") == "passwd.pdf");
    CHECK(lab::clean_attachment_name("le \"projet\" d'Éloïse.pdf") == "le projet dÉloïse.pdf");
    CHECK(lab::clean_attachment_name("a\r\nContent-Type: text\t.pdf") == "aContent-Type: text.pdf");
    CHECK(lab::clean_attachment_name("facture\xE2\x80\xAE"
                                     "fdp.exe") == "facturefdp.exe.pdf");
    CHECK(lab::clean_attachment_name("bad\xFF\xC3(utf8.pdf") == "bad(utf8.pdf");
    CHECK(lab::clean_attachment_name("STATUTS.PDF") == "STATUTS.pdf");
    CHECK(lab::clean_attachment_name(".htaccess") == "htaccess.pdf");
    CHECK(lab::clean_attachment_name("a/b/text/html.pdf") == "html.pdf");
    CHECK(lab::clean_attachment_name("rapport..pdf") == "rapport.pdf");
}

TEST_CASE("an attachment name without a .pdf gets one, an empty one becomes document.pdf",
          "[labelling][application]") {
    CHECK(lab::clean_attachment_name("statuts") == "statuts.pdf");
    CHECK(lab::clean_attachment_name("") == "document.pdf");
    CHECK(lab::clean_attachment_name("   ") == "document.pdf");
    CHECK(lab::clean_attachment_name(".pdf") == "document.pdf");
    CHECK(lab::clean_attachment_name("dossier/") == "document.pdf");
    CHECK(lab::clean_attachment_name("\"\"''") == "document.pdf");
}

TEST_CASE("a long attachment name is cut to 100 characters, .pdf included",
          "[labelling][application]") {
    const auto name = lab::clean_attachment_name(repeat("é", 300) + ".pdf");
    CHECK(name == repeat("é", 96) + ".pdf");
    const auto plain = lab::clean_attachment_name(repeat("x", 150));
    CHECK(plain == repeat("x", 96) + ".pdf");
}
