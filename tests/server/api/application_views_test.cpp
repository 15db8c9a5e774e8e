// Unit: what holders and the Mission read of an application (issue 17): the French words of
// every problem, the reading of a body onto the fields, the campaign's facts and the Application
// JSON, the new rows of the error table.
#include "server/api/application_views.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <set>

#include "config/config.hpp"
#include "config/files.hpp"
#include "config/paris_time.hpp"
#include "labelling/questionnaire_toml.hpp"
#include "server/api/applications_api.hpp"
#include "server/api/errors.hpp"
#include "server/api/holder_api.hpp"
#include "server/api/holder_guard.hpp"
#include "tests/server/support/french_typography.hpp"

using namespace budget;
using namespace budget::server::api;
namespace storage = budget::server::storage;
namespace http = budget::server::http;
namespace json = boost::json;
using labelling::ApplicationStatus;
using labelling::Field;
using labelling::FieldProblemKind;

namespace {
using budget::test::typography_problem;

const labelling::Questionnaire& questionnaire() {
    static const auto q = [] {
        const auto c = config::parse_config("", "test", ".");
        return labelling::parse_questionnaire_toml(
                   *config::read_text_file(c.labelling.questionnaire), c.labelling.questionnaire)
            .value();
    }();
    return q;
}

const config::CommuneDirectory& communes() {
    static const auto directory = [] {
        const auto c = config::parse_config("", "test", ".");
        return config::CommuneDirectory::load(c.labelling.communes, c.labelling.territories);
    }();
    return directory;
}

/// A complete file: every field, every question answered `answer`.
labelling::ApplicationFields complete_fields(int answer = 3) {
    labelling::ApplicationFields f;
    f.holder = "Association La Ressourcerie";
    f.legal_form = "association";
    f.siret = "73282932000074";
    f.contact_name = "Camille Martin";
    f.contact_email = "camille@example.org";
    f.contact_phone = "03 21 00 00 00";
    f.commune = "62041";
    f.title = "Ressourcerie solidaire";
    f.summary = "Réparer et revendre.";
    f.description = "Une ressourcerie avec des salariés en insertion.";
    f.requested_eur = 4000;
    for (const auto& marker : questionnaire().markers)
        for (const auto& q : marker.questions) f.self_assessment[q.id] = answer;
    return f;
}

storage::StoredApplication stored(ApplicationStatus status,
                                  labelling::ApplicationFields fields = complete_fields()) {
    storage::StoredApplication a;
    a.id = "d-0123456789";
    a.owner = "0123456789abcdef0123456789abcdef";
    a.owner_email = "porteur@example.org";
    a.status = status;
    a.fields = std::move(fields);
    a.created_at = "2027-03-01T09:00:00.000Z";
    a.updated_at = "2027-03-02T09:00:00.000Z";
    a.history.push_back({ApplicationStatus::brouillon, a.created_at, ""});
    if (status != ApplicationStatus::brouillon)
        a.history.push_back({ApplicationStatus::deposee, "2027-03-02T09:00:00.000Z", ""});
    if (status == ApplicationStatus::recevable)
        a.history.push_back({ApplicationStatus::recevable, "2027-04-02T09:00:00.000Z", ""});
    if (status == ApplicationStatus::irrecevable)
        a.history.push_back({ApplicationStatus::irrecevable, "2027-04-02T09:00:00.000Z",
                             "Le projet n’a pas lieu dans le Pas-de-Calais."});
    a.attachments.push_back({std::string(64, 'a'), "statuts.pdf", 1234, a.updated_at});
    return a;
}

}  // namespace

TEST_CASE("a SIRET whose key is wrong is named, grouped, in a precise French sentence",
          "[server][applications]") {
    auto fields = complete_fields();
    fields.siret = "73282932000075";
    const labelling::FieldProblem problem{Field::siret, FieldProblemKind::bad_siret_key, ""};
    CHECK(field_problem_text(problem, fields, questionnaire()) ==
          "Le SIRET 732\u00a0829\u00a0320\u00a000075 n’a pas une clé valide\u00a0: vérifiez les "
          "14 chiffres.");
    CHECK(format_siret("123") == "123");
}

TEST_CASE("amounts are written the French way", "[server][applications]") {
    CHECK(format_euros(0) == "0\u00a0€");
    CHECK(format_euros(950) == "950\u00a0€");
    CHECK(format_euros(12000) == "12\u202f000\u00a0€");
    CHECK(format_euros(1234567) == "1\u202f234\u202f567\u00a0€");
}

TEST_CASE("every problem of every field has a French sentence with right typography",
          "[server][applications]") {
    const auto fields = complete_fields();
    const auto question = questionnaire().markers[0].questions[0].id;
    for (int f = 0; f <= static_cast<int>(Field::self_assessment); ++f) {
        for (int k = 0; k <= static_cast<int>(FieldProblemKind::incomplete); ++k) {
            const auto kind = static_cast<FieldProblemKind>(k);
            std::string detail;
            if (kind == FieldProblemKind::too_long) detail = "120";
            if (kind == FieldProblemKind::over_cap) detail = "40000";
            if (kind == FieldProblemKind::unknown_question ||
                kind == FieldProblemKind::out_of_range)
                detail = question;
            if (kind == FieldProblemKind::incomplete) detail = "3";
            const labelling::FieldProblem problem{static_cast<Field>(f), kind, detail};
            const auto text = field_problem_text(problem, fields, questionnaire());
            INFO(labelling::to_string(problem.field) << " " << k << ": " << text);
            CHECK(!text.empty());
            CHECK(typography_problem(text) == "");
            CHECK(text.back() == '.');
        }
    }
    SECTION("numbers given in the detail are said, with the right plural") {
        const auto text = [&](Field field, FieldProblemKind kind, std::string detail) {
            return field_problem_text({field, kind, std::move(detail)}, fields, questionnaire());
        };
        CHECK(text(Field::title, FieldProblemKind::too_long, "120") ==
              "Le champ «\u00a0Titre de l’initiative\u00a0» dépasse 120\u00a0caractères\u00a0: "
              "raccourcissez-le.");
        CHECK(text(Field::self_assessment, FieldProblemKind::incomplete, "1") ==
              "Il reste 1 question sans réponse dans l’auto-évaluation.");
        CHECK(text(Field::self_assessment, FieldProblemKind::incomplete, "4") ==
              "Il reste 4 questions sans réponse dans l’auto-évaluation.");
        auto over = fields;
        over.requested_eur = 45000;
        CHECK(field_problem_text({Field::requested_eur, FieldProblemKind::over_cap, "40000"}, over,
                                 questionnaire()) ==
              "Le montant demandé (45\u202f000\u00a0€) dépasse le plafond le plus élevé des "
              "catégories (40\u202f000\u00a0€)\u00a0: demandez au plus ce plafond.");
        const auto scale = questionnaire().markers[0].questions[0].scale;
        CHECK(text(Field::self_assessment, FieldProblemKind::out_of_range, question)
                  .ends_with("doit être comprise entre " + std::to_string(scale.min) + " et " +
                             std::to_string(scale.max) + "."));
    }
    SECTION("an unknown commune is named by digits only, never echoed raw") {
        auto odd = fields;
        odd.commune = "<b>99999</b>";
        const auto text = field_problem_text(
            {Field::commune, FieldProblemKind::unknown_commune, ""}, odd, questionnaire());
        CHECK(text.find("«\u00a099999\u00a0»") != std::string::npos);
        CHECK(text.find('<') == std::string::npos);
    }
}

TEST_CASE("the messages of refused files count their problems", "[server][applications]") {
    const auto fields = complete_fields();
    const auto one =
        problems_json({{Field::title, FieldProblemKind::missing, ""}}, fields, questionnaire());
    REQUIRE(one.size() == 1);
    CHECK(one[0].at("field") == "title");
    CHECK(one[0].at("message") == "Donnez un titre à l’initiative.");
    CHECK(incomplete_application_message(one).find("1 point est à compléter") != std::string::npos);
    const auto two = problems_json({{Field::title, FieldProblemKind::missing, ""},
                                    {Field::summary, FieldProblemKind::missing, ""}},
                                   fields, questionnaire());
    CHECK(incomplete_application_message(two).find("2 points sont à compléter") !=
          std::string::npos);
    CHECK(invalid_application_message(two) ==
          "Rien n’a été enregistré\u00a0: Donnez un titre à l’initiative. Écrivez le résumé de "
          "l’initiative.");
    CHECK(typography_problem(incomplete_application_message(two)) == "");
}

TEST_CASE("a body changes the keys it holds and keeps the others", "[server][applications]") {
    auto fields = complete_fields();
    SECTION("present keys replace, null clears, absent keys keep, unknown keys are ignored") {
        const auto body = json::parse(R"({"title":"Nouveau titre","summary":null,
            "siret":"732 829 320 00074","requested_eur":5000,"id":"d-ffffffffff",
            "self_assessment":{"gouvernance_decision":1,"utilite_besoin":null}})")
                              .as_object();
        const auto problems = apply_application_body(body, fields);
        CHECK(problems.empty());
        CHECK(fields.title == "Nouveau titre");
        CHECK(fields.summary.empty());
        CHECK(fields.siret == "73282932000074");
        CHECK(fields.requested_eur == 5000);
        CHECK(fields.holder == "Association La Ressourcerie");
        // The answers are replaced whole; a null answer is no answer.
        CHECK(fields.self_assessment == labelling::Answers{{"gouvernance_decision", 1}});
    }
    SECTION("every key of the wrong type is one problem, named by its field") {
        const auto body = json::parse(R"({"title":12,"holder":["a"],"requested_eur":12.5,
            "self_assessment":{"gouvernance_decision":"deux"},"commune":"62041"})")
                              .as_object();
        const auto problems = apply_application_body(body, fields);
        REQUIRE(problems.size() == 4);
        std::set<std::string> named;
        for (const auto& p : problems) {
            named.insert(std::string(p.at("field").as_string()));
            CHECK(typography_problem(p.at("message").as_string()) == "");
        }
        CHECK(named ==
              std::set<std::string>{"holder", "title", "requested_eur", "self_assessment"});
    }
    SECTION("a line break is refused in a one-line field, kept in the description") {
        const auto body =
            json::parse(R"({"title":"Deux\nlignes","description":"Deux\nlignes"})").as_object();
        const auto problems = apply_application_body(body, fields);
        REQUIRE(problems.size() == 1);
        CHECK(problems[0].at("field") == "title");
        CHECK(fields.description == "Deux\nlignes");
    }
    SECTION("a string amount is not read as a number") {
        const auto body = json::parse(R"({"requested_eur":"4000"})").as_object();
        CHECK(apply_application_body(body, fields).size() == 1);
    }
}

TEST_CASE("the campaign's facts come from the decision, the sealed ballot and the results",
          "[server][applications]") {
    CampaignReading reading;
    reading.labelling.emplace();
    reading.labelling->decisions["d-0123456789"] = storage::StoredDecision{
        "label", "pratique_ess", "Un beau projet.", "committee1", "2027-06-01T10:00:00Z", true};
    auto ballot = std::make_shared<storage::SealedBallot>();
    storage::BallotInitiative on_ballot;
    on_ballot.id = "d-0123456789";
    ballot->initiatives.push_back(on_ballot);
    reading.ballot = ballot;
    reading.ballot_at = "2027-09-01T00:00:00+02:00";
    reading.results = json::parse(R"({"initiatives":[{"id":"d-0123456789","funded":true},
        {"id":"autre","funded":false}],"tallied_at":"2027-10-01T10:00:00Z"})")
                          .as_object();
    reading.published_at = "2027-10-01T10:00:00Z";

    const auto facts = campaign_facts(reading, "d-0123456789");
    CHECK(facts.decided);
    CHECK(facts.labelled);
    CHECK(facts.decided_at == "2027-06-01T10:00:00Z");
    CHECK(facts.justification == "Un beau projet.");
    CHECK(facts.on_ballot);
    CHECK(facts.ballot_at == "2027-09-01T00:00:00+02:00");
    CHECK(facts.published);
    CHECK(facts.winner);

    const auto other = campaign_facts(reading, "autre");
    CHECK_FALSE(other.decided);
    CHECK_FALSE(other.on_ballot);
    CHECK_FALSE(other.winner);

    SECTION("the Application's status is the last step of its full history") {
        const auto json = application_json(stored(ApplicationStatus::recevable), questionnaire(),
                                           communes(), facts, {});
        CHECK(json.at("status") == "laureate");
        CHECK(json.at("status_label") == "Lauréate");
        const auto& history = json.at("history").as_array();
        REQUIRE(history.size() == 6);
        CHECK(history[3].at("status") == "labellisee");
        CHECK(history[3].at("reason") == "Un beau projet.");
        CHECK(history[4].at("status") == "au_vote");
        CHECK(history[5].at("at") == "2027-10-01T10:00:00Z");
    }
}

TEST_CASE("the Application JSON names its commune, territory and legal form",
          "[server][applications]") {
    const auto draft = stored(ApplicationStatus::brouillon);
    ApplicationViewOptions holder_view;
    holder_view.call_open = true;
    const auto json = application_json(draft, questionnaire(), communes(), {}, holder_view);
    CHECK(json.at("id") == "d-0123456789");
    CHECK(json.at("status") == "brouillon");
    CHECK(json.at("status_label") == "Brouillon");
    CHECK(json.at("editable") == true);
    CHECK(json.at("legal_form_label") == "Association");
    CHECK(json.at("commune_name") == "Arras");
    CHECK(!json.at("territory").as_string().empty());
    CHECK(!json.at("territory_name").as_string().empty());
    CHECK(std::string(json.at("description").as_string()) == draft.fields.description);
    CHECK(json.at("self_assessment").as_object().size() == draft.fields.self_assessment.size());
    CHECK(json.at("self_radar").as_object().size() == questionnaire().markers.size());
    CHECK(json.at("proposed_category").is_string());
    CHECK(json.at("attachments").as_array().size() == 1);
    CHECK(json.at("attachments").at(0).at("name") == "statuts.pdf");
    CHECK(json.at("history").as_array().size() == 1);
    CHECK(json.at("problems").as_array().empty());
    CHECK_FALSE(json.contains("owner_email"));

    SECTION("closed call or decided file: not editable") {
        CHECK(application_json(draft, questionnaire(), communes(), {}, {}).at("editable") == false);
        const auto decided = stored(ApplicationStatus::irrecevable);
        const auto shown = application_json(decided, questionnaire(), communes(), {}, holder_view);
        CHECK(shown.at("editable") == false);
        CHECK(shown.at("status") == "irrecevable");
        CHECK(shown.at("history").as_array().back().at("reason") ==
              "Le projet n’a pas lieu dans le Pas-de-Calais.");
    }
    SECTION("the staff view adds the owner's address; the list leaves the description out") {
        ApplicationViewOptions list_view;
        list_view.staff = true;
        list_view.with_description = false;
        const auto shown = application_json(stored(ApplicationStatus::deposee), questionnaire(),
                                            communes(), {}, list_view);
        CHECK(shown.at("owner_email") == "porteur@example.org");
        CHECK_FALSE(shown.contains("description"));
    }
    SECTION("an incomplete self-assessment proposes no category, and says what is left") {
        auto fields = complete_fields();
        fields.self_assessment.erase(fields.self_assessment.begin());
        fields.title.clear();
        const auto shown = application_json(stored(ApplicationStatus::brouillon, fields),
                                            questionnaire(), communes(), {}, holder_view);
        CHECK(shown.at("proposed_category").is_null());
        CHECK(shown.at("self_radar").as_object().size() == questionnaire().markers.size() - 1);
        std::set<std::string> fields_named;
        for (const auto& p : shown.at("problems").as_array())
            fields_named.insert(std::string(p.at("field").as_string()));
        CHECK(fields_named == std::set<std::string>{"title", "self_assessment"});
    }
}

TEST_CASE("an admissible file becomes an initiative of its commune's territory",
          "[server][applications]") {
    auto fields = complete_fields();
    fields.title = "  Ressourcerie solidaire ";
    const auto record = initiative_of(stored(ApplicationStatus::deposee, fields), communes());
    REQUIRE(record);
    CHECK(record->id == "d-0123456789");
    CHECK(record->title == "Ressourcerie solidaire");
    CHECK(record->commune == "62041");
    CHECK(record->territory == communes().find("62041")->territory);
    CHECK(record->requested_eur == 4000);
    fields.commune = "75056";
    CHECK_FALSE(initiative_of(stored(ApplicationStatus::deposee, fields), communes()));
}

TEST_CASE("the call's state and the refusal outside it", "[server][applications]") {
    config::CampaignConfig c;
    CHECK(call_json(c, 1000).at("state") == "none");
    CHECK(call_refusal(c, 1000, 11)->result() == http::status::conflict);
    c.call_opens = "2027-03-01T09:00:00+01:00";
    c.call_closes = "2027-04-30T18:00:00+02:00";
    c.call_opens_unix = *config::parse_rfc3339(c.call_opens);
    c.call_closes_unix = *config::parse_rfc3339(c.call_closes);
    CHECK(call_json(c, c.call_opens_unix - 1).at("state") == "upcoming");
    CHECK(call_json(c, c.call_opens_unix).at("state") == "open");
    CHECK(call_json(c, c.call_closes_unix).at("state") == "closed");
    CHECK_FALSE(call_refusal(c, c.call_opens_unix + 10, 11));
    const auto refused = call_refusal(c, c.call_closes_unix + 10, 11);
    REQUIRE(refused);
    const auto error = json::parse(refused->body()).at("error");
    CHECK(error.at("code") == "call_not_open");
    CHECK(error.at("message").as_string().find("du 1er mars 2027 à 09:00 au 30 avril 2027 à "
                                               "18:00") != json::string::npos);
}

TEST_CASE("ids, access and downloads", "[server][applications]") {
    CHECK(is_application_id("d-0123456789"));
    CHECK_FALSE(is_application_id("d-012345678"));
    CHECK_FALSE(is_application_id("d-0123456789a"));
    CHECK_FALSE(is_application_id("d-ABCDEF0123"));
    CHECK_FALSE(is_application_id("../../etc/p"));

    CHECK_FALSE(staff_may_read(StaffRole::mission, ApplicationStatus::brouillon));
    CHECK(staff_may_read(StaffRole::mission, ApplicationStatus::deposee));
    CHECK(staff_may_read(StaffRole::mission, ApplicationStatus::irrecevable));
    CHECK_FALSE(staff_may_read(StaffRole::committee, ApplicationStatus::deposee));
    CHECK_FALSE(staff_may_read(StaffRole::committee, ApplicationStatus::irrecevable));
    CHECK(staff_may_read(StaffRole::committee, ApplicationStatus::recevable));

    CHECK(attachment_disposition("statuts.pdf") ==
          "attachment; filename=\"statuts.pdf\"; filename*=UTF-8''statuts.pdf");
    CHECK(attachment_disposition("Budget prévisionnel \"2027\".pdf") ==
          "attachment; filename=\"Budget pr__visionnel _2027_.pdf\"; "
          "filename*=UTF-8''Budget%20pr%C3%A9visionnel%20%222027%22.pdf");

    CHECK(holder_audit_name("0123456789abcdef0123") == "holder:0123456789ab");
    CHECK(holder_cookie_name(true) == "__Host-budget_holder");
    CHECK(holder_cookie_name(false) == "budget_holder");
    CHECK(holder_cookie(true, "abc", std::chrono::seconds(60)) ==
          "__Host-budget_holder=abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=60; Secure");
    const std::string id(64, 'f');
    CHECK(holder_session_id_of("a=b; budget_holder=" + id, false) == id);
    CHECK_FALSE(holder_session_id_of("budget_holder=" + id, true));
    CHECK_FALSE(holder_session_id_of("budget_holder=" + std::string(64, 'g'), false));
    const HolderSession session{"id", "owner", "a@example.org", "token"};
    CHECK_FALSE(holder_session_refusal(session, false, ""));
    CHECK(holder_session_refusal(session, true, "") == Error::csrf_failed);
    CHECK(holder_session_refusal(session, true, "tokeN") == Error::csrf_failed);
    CHECK_FALSE(holder_session_refusal(session, true, "token"));
}

TEST_CASE("the new refusals of issue 17 follow French typography", "[server][applications]") {
    for (int i = static_cast<int>(Error::holder_not_authenticated);
         i <= static_cast<int>(Error::initiative_exists); ++i) {
        const auto& e = entry(static_cast<Error>(i));
        INFO("error " << i << " " << e.code << ": " << e.message);
        CHECK(!e.message.empty());
        CHECK(e.code.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string_view::npos);
        CHECK(typography_problem(e.message) == "");
    }
    CHECK(entry(Error::attachment_too_large).status == http::status::payload_too_large);
    CHECK(entry(Error::attachment_wrong_type).status == http::status::unsupported_media_type);
    CHECK(entry(Error::attachment_not_pdf).status == http::status::unprocessable_entity);
    CHECK(entry(Error::application_not_found).status == http::status::not_found);
    CHECK(entry(Error::holder_not_authenticated).status == http::status::unauthorized);
}
