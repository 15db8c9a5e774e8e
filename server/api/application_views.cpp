#include "server/api/application_views.hpp"

#include <boost/json.hpp>
#include <limits>

#include "labelling/scoring.hpp"
#include "server/api/ballot_api.hpp"
#include "server/api/initiative_rows.hpp"
#include "server/api/request_body.hpp"
#include "voting/phase.hpp"

namespace budget::server::api {

namespace asio = boost::asio;
namespace json = boost::json;
using labelling::Field;
using labelling::FieldProblemKind;

namespace {

constexpr std::string_view kNbsp = "\u00a0";
constexpr std::string_view kNarrowNbsp = "\u202f";

std::string guillemets(std::string_view text) { return "«\u00a0" + std::string(text) + "\u00a0»"; }

/// The limit of a text field, in characters, when the problem does not say it.
std::size_t limit_of(Field field) {
    switch (field) {
        case Field::holder:
            return labelling::kMaxHolderChars;
        case Field::title:
            return labelling::kMaxTitleChars;
        case Field::summary:
            return labelling::kMaxSummaryChars;
        case Field::description:
            return labelling::kMaxDescriptionChars;
        case Field::contact_phone:
            return labelling::kMaxPhoneChars;
        default:
            return labelling::kMaxContactChars;
    }
}

std::string missing_text(Field field) {
    switch (field) {
        case Field::holder:
            return "Indiquez le nom de la structure ou du collectif qui porte l’initiative.";
        case Field::legal_form:
            return "Choisissez la forme juridique de la structure.";
        case Field::siret:
            return "Indiquez le SIRET de la structure (14 chiffres).";
        case Field::contact_name:
            return "Indiquez le nom de la personne à contacter.";
        case Field::contact_email:
            return "Indiquez l’adresse électronique de la personne à contacter.";
        case Field::contact_phone:
            return "Indiquez le numéro de téléphone de la personne à contacter.";
        case Field::commune:
            return "Choisissez la commune où l’initiative aura lieu.";
        case Field::title:
            return "Donnez un titre à l’initiative.";
        case Field::summary:
            return "Écrivez le résumé de l’initiative.";
        case Field::description:
            return "Décrivez l’initiative.";
        case Field::requested_eur:
            return "Indiquez le montant demandé, en euros.";
        case Field::self_assessment:
            return "Répondez aux questions de l’auto-évaluation.";
    }
    return "Ce champ est obligatoire.";
}

std::string invalid_text(Field field) {
    switch (field) {
        case Field::legal_form:
            return "Choisissez la forme juridique dans la liste (association, coopérative, SCIC, "
                   "SCOP, mutuelle, fondation, entreprise ESUS ou collectif d’habitants).";
        case Field::siret:
            return "Le SIRET doit compter exactement 14 chiffres (les espaces entre les groupes "
                   "sont permis).";
        case Field::contact_email:
            return "L’adresse électronique du contact n’est pas valide (par exemple\u00a0: "
                   "prenom.nom@exemple.fr).";
        case Field::contact_phone:
            return "Le numéro de téléphone n’est pas valide (par exemple\u00a0: 03 21 00 00 00 "
                   "ou +33 3 21 00 00 00).";
        case Field::commune:
            return "Choisissez la commune dans la liste.";
        case Field::requested_eur:
            return "Le montant demandé doit être un nombre entier d’euros, positif.";
        case Field::self_assessment:
            return "Les réponses de l’auto-évaluation ne sont pas valides.";
        default:
            return "Le champ " + guillemets(field_label(field)) +
                   " contient des caractères invalides.";
    }
}

/// "la question 2 du marqueur « Gouvernance »" as the form numbers them (the texts are long and
/// hold guillemets of their own); the id when the questionnaire does not know it.
std::string question_name(const labelling::Questionnaire& questionnaire, std::string_view id) {
    for (const auto& marker : questionnaire.markers) {
        for (std::size_t i = 0; i < marker.questions.size(); ++i) {
            if (marker.questions[i].id == id)
                return "la question " + std::to_string(i + 1) + " du marqueur " +
                       guillemets(marker.label);
        }
    }
    return "la question " + guillemets(id);
}

std::string digits_only(std::string_view text, std::size_t max) {
    std::string out;
    for (const char c : text) {
        if (out.size() == max) break;
        if (c >= '0' && c <= '9') out += c;
    }
    return out;
}

std::string text_type_problem(Field field) {
    return "Le champ " + guillemets(field_label(field)) + " doit être un texte.";
}

}  // namespace

// ---------------------------------------------------------------- words

std::string_view field_label(Field field) {
    switch (field) {
        case Field::holder:
            return "Nom de la structure";
        case Field::legal_form:
            return "Forme juridique";
        case Field::siret:
            return "SIRET";
        case Field::contact_name:
            return "Nom du contact";
        case Field::contact_email:
            return "Adresse électronique du contact";
        case Field::contact_phone:
            return "Téléphone du contact";
        case Field::commune:
            return "Commune";
        case Field::title:
            return "Titre de l’initiative";
        case Field::summary:
            return "Résumé";
        case Field::description:
            return "Description";
        case Field::requested_eur:
            return "Montant demandé";
        case Field::self_assessment:
            return "Auto-évaluation";
    }
    return "";
}

std::string format_siret(std::string_view siret) {
    if (siret.size() != 14 || siret.find_first_not_of("0123456789") != std::string_view::npos)
        return std::string(siret);
    std::string out;
    out.append(siret.substr(0, 3)).append(kNbsp);
    out.append(siret.substr(3, 3)).append(kNbsp);
    out.append(siret.substr(6, 3)).append(kNbsp);
    out.append(siret.substr(9, 5));
    return out;
}

std::string format_euros(std::int64_t amount) {
    const bool negative = amount < 0;
    auto digits = std::to_string(negative ? -amount : amount);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out.append(kNarrowNbsp);
        out += digits[i];
    }
    return (negative ? "-" : "") + out + std::string(kNbsp) + "€";
}

std::string field_problem_text(const labelling::FieldProblem& problem,
                               const labelling::ApplicationFields& fields,
                               const labelling::Questionnaire& questionnaire) {
    const auto field = problem.field;
    switch (problem.kind) {
        case FieldProblemKind::missing:
            return missing_text(field);
        case FieldProblemKind::too_long: {
            const auto limit =
                problem.detail.empty() ? std::to_string(limit_of(field)) : problem.detail;
            return "Le champ " + guillemets(field_label(field)) + " dépasse " + limit +
                   "\u00a0caractères\u00a0: raccourcissez-le.";
        }
        case FieldProblemKind::invalid:
            return invalid_text(field);
        case FieldProblemKind::bad_siret_key:
            return "Le SIRET " + format_siret(fields.siret) +
                   " n’a pas une clé valide\u00a0: vérifiez les 14 chiffres.";
        case FieldProblemKind::unknown_commune:
            return "Aucune commune du Pas-de-Calais n’a le code INSEE " +
                   guillemets(digits_only(fields.commune, 10)) +
                   "\u00a0: choisissez la commune dans la liste.";
        case FieldProblemKind::over_cap: {
            std::string cap = problem.detail;
            try {
                cap = format_euros(std::stoll(problem.detail));
            } catch (const std::exception&) {
            }
            return "Le montant demandé (" + format_euros(fields.requested_eur) +
                   ") dépasse le plafond le plus élevé des catégories (" + cap +
                   ")\u00a0: demandez au plus ce plafond.";
        }
        case FieldProblemKind::unknown_question:
            // The id comes from the client: an excerpt, never more.
            return "L’auto-évaluation répond à une question inconnue (" +
                   guillemets(safe_excerpt(problem.detail, 40)) + ")\u00a0: rechargez la page.";
        case FieldProblemKind::out_of_range: {
            const auto* q = labelling::find_question(questionnaire, problem.detail);
            if (!q) return "Une réponse de l’auto-évaluation est hors de l’échelle proposée.";
            return "La réponse à " + question_name(questionnaire, problem.detail) +
                   " doit être comprise entre " + std::to_string(q->scale.min) + " et " +
                   std::to_string(q->scale.max) + ".";
        }
        case FieldProblemKind::incomplete: {
            const auto& n = problem.detail;
            if (n == "1") return "Il reste 1 question sans réponse dans l’auto-évaluation.";
            return "Il reste " + (n.empty() ? std::string("des") : n) +
                   " questions sans réponse dans l’auto-évaluation.";
        }
    }
    return missing_text(field);
}

json::array problems_json(const std::vector<labelling::FieldProblem>& problems,
                          const labelling::ApplicationFields& fields,
                          const labelling::Questionnaire& questionnaire) {
    json::array out;
    for (const auto& p : problems) {
        out.push_back(json::object{{"field", labelling::to_string(p.field)},
                                   {"message", field_problem_text(p, fields, questionnaire)}});
    }
    return out;
}

std::string invalid_application_message(const json::array& problems) {
    std::string out = "Rien n’a été enregistré\u00a0:";
    for (const auto& p : problems) {
        out += ' ';
        out += json::value_to<std::string>(p.at("message"));
    }
    return out;
}

std::string incomplete_application_message(const json::array& problems) {
    const auto n = problems.size();
    return "Le dossier ne peut pas être déposé tel quel\u00a0: " +
           (n == 1 ? std::string("1 point est à compléter ou à corriger.")
                   : std::to_string(n) + " points sont à compléter ou à corriger.") +
           " Rien n’a été enregistré.";
}

std::string call_period_text(const config::CampaignConfig& campaign, std::int64_t now) {
    if (campaign.call_opens_unix == 0) return "aucun appel n’est prévu";
    if (now < campaign.call_opens_unix)
        return "il ouvrira le " + french_date(campaign.call_opens_unix) + " et fermera le " +
               french_date(campaign.call_closes_unix);
    if (now >= campaign.call_closes_unix)
        return "il a eu lieu du " + french_date(campaign.call_opens_unix) + " au " +
               french_date(campaign.call_closes_unix);
    return "il a lieu du " + french_date(campaign.call_opens_unix) + " au " +
           french_date(campaign.call_closes_unix);
}

json::object call_json(const config::CampaignConfig& campaign, std::int64_t now) {
    if (campaign.call_opens_unix == 0)
        return {{"opens", nullptr}, {"closes", nullptr}, {"state", "none"}};
    const char* state = config::call_open_at(campaign, now) ? "open"
                        : now < campaign.call_opens_unix    ? "upcoming"
                                                            : "closed";
    return {{"opens", campaign.call_opens}, {"closes", campaign.call_closes}, {"state", state}};
}

// ---------------------------------------------------------------- reading a body

json::array apply_application_body(const json::object& body, labelling::ApplicationFields& fields) {
    json::array problems;
    auto problem = [&](Field field, std::string message) {
        problems.push_back(
            json::object{{"field", labelling::to_string(field)}, {"message", std::move(message)}});
    };
    struct TextKey {
        Field field;
        std::string* target;
        bool multiline;
    };
    const TextKey texts[] = {
        {Field::holder, &fields.holder, false},
        {Field::legal_form, &fields.legal_form, false},
        {Field::siret, &fields.siret, false},
        {Field::contact_name, &fields.contact_name, false},
        {Field::contact_email, &fields.contact_email, false},
        {Field::contact_phone, &fields.contact_phone, false},
        {Field::commune, &fields.commune, false},
        {Field::title, &fields.title, false},
        {Field::summary, &fields.summary, true},
        {Field::description, &fields.description, true},
    };
    for (const auto& t : texts) {
        const auto* value = body.if_contains(labelling::to_string(t.field));
        if (!value) continue;
        if (value->is_null()) {
            t.target->clear();
            continue;
        }
        if (!value->is_string()) {
            problem(t.field, text_type_problem(t.field));
            continue;
        }
        const std::string_view text(value->as_string().data(), value->as_string().size());
        if (!clean_text_length(text, t.multiline)) {
            problem(t.field, "Le champ " + guillemets(field_label(t.field)) +
                                 " contient des caractères invalides" +
                                 (t.multiline ? "." : " (un retour à la ligne, par exemple)."));
            continue;
        }
        *t.target = t.field == Field::siret ? labelling::normalise_siret(text) : std::string(text);
    }
    if (const auto* amount = body.if_contains("requested_eur")) {
        if (amount->is_null()) {
            fields.requested_eur = 0;
        } else if (amount->is_int64()) {
            fields.requested_eur = amount->as_int64();
        } else if (amount->is_double()) {
            problem(Field::requested_eur,
                    "Le montant demandé doit être un nombre entier d’euros, sans centimes.");
        } else {
            problem(Field::requested_eur, "Le montant demandé doit être un nombre entier d’euros.");
        }
    }
    if (const auto* answers = body.if_contains("self_assessment")) {
        if (answers->is_null()) {
            fields.self_assessment.clear();
        } else if (!answers->is_object()) {
            problem(Field::self_assessment,
                    "L’auto-évaluation doit associer à chaque question une réponse.");
        } else {
            labelling::Answers read;
            bool integers = true;
            for (const auto& [question, value] : answers->as_object()) {
                if (value.is_null()) continue;  // unanswered
                if (!value.is_int64() || value.as_int64() < std::numeric_limits<int>::min() ||
                    value.as_int64() > std::numeric_limits<int>::max()) {
                    integers = false;
                    break;
                }
                read[std::string(question)] = static_cast<int>(value.as_int64());
            }
            if (!integers)
                problem(Field::self_assessment,
                        "Les réponses de l’auto-évaluation doivent être des nombres entiers.");
            else
                fields.self_assessment = std::move(read);
        }
    }
    return problems;
}

// ---------------------------------------------------------------- the campaign's facts

labelling::CampaignFacts campaign_facts(const CampaignReading& reading, std::string_view id) {
    labelling::CampaignFacts facts;
    if (reading.labelling) {
        const auto& decisions = reading.labelling->decisions;
        if (const auto d = decisions.find(id); d != decisions.end()) {
            facts.decided = true;
            facts.labelled = d->second.decision == "label";
            facts.decided_at = d->second.at;
            facts.justification = d->second.justification;
        }
    }
    if (reading.ballot && reading.ballot->find(id)) {
        facts.on_ballot = true;
        facts.ballot_at = reading.ballot_at;
    }
    if (reading.results) {
        facts.published = true;
        facts.published_at = reading.published_at;
        if (const auto* list = reading.results->if_contains("initiatives");
            list && list->is_array()) {
            for (const auto& item : list->as_array()) {
                const auto* o = item.if_object();
                if (!o) continue;
                const auto* item_id = o->if_contains("id");
                if (!item_id || !item_id->is_string() || item_id->as_string() != id) continue;
                const auto* funded = o->if_contains("funded");
                facts.winner = funded && funded->is_bool() && funded->as_bool();
            }
        }
    }
    return facts;
}

asio::awaitable<std::optional<CampaignReading>> read_campaign_facts(const AppContext& ctx) {
    CampaignReading reading;
    reading.labelling = co_await ctx.stores.labelling.snapshot();
    if (!reading.labelling) co_return std::nullopt;
    reading.ballot_at = ctx.config.campaign.vote_opens;
    if (voting::vote_has_opened(ctx.stores.campaign.window(), ctx.clock.now())) {
        auto ballot = co_await ctx.stores.campaign.sealed_ballot();
        if (ballot) {
            reading.ballot = *ballot;
        } else if (ballot.error() != storage::StoreError::not_sealed) {
            co_return std::nullopt;
        }
    }
    auto results = co_await ctx.stores.results.published();
    if (!results) co_return std::nullopt;
    if (*results) {
        boost::system::error_code ec;
        auto doc = json::parse((*results)->document, ec);
        if (!ec && doc.is_object()) {
            reading.results = std::move(doc.as_object());
            // The results store keeps the time of publication beside the document but gives no
            // getter for it: the signed tally's time stands for it (the step before).
            if (const auto* at = reading.results->if_contains("tallied_at"); at && at->is_string())
                reading.published_at = std::string(at->as_string());
        }
    }
    co_return reading;
}

// ---------------------------------------------------------------- shapes

labelling::MarkerScores self_radar(const labelling::Questionnaire& questionnaire,
                                   const storage::StoredApplication& application) {
    return labelling::self_assessment_scores(questionnaire, application.fields.self_assessment);
}

std::string proposed_category(const labelling::Questionnaire& questionnaire,
                              const labelling::MarkerScores& radar) {
    if (questionnaire.markers.empty() || radar.size() != questionnaire.markers.size()) return "";
    return labelling::propose_category(questionnaire, radar).category_id;
}

std::vector<labelling::StatusEvent> application_history(
    const storage::StoredApplication& application, const labelling::CampaignFacts& facts) {
    return labelling::full_history(application.history, facts);
}

json::object attachment_json(const storage::AttachmentMeta& attachment) {
    return {{"sha256", attachment.sha256},
            {"name", attachment.name},
            {"size", attachment.size},
            {"uploaded_at", attachment.uploaded_at}};
}

json::object application_json(const storage::StoredApplication& application,
                              const labelling::Questionnaire& questionnaire,
                              const config::CommuneDirectory& communes,
                              const labelling::CampaignFacts& facts,
                              const ApplicationViewOptions& options) {
    const auto& f = application.fields;
    const auto history = application_history(application, facts);
    const auto status = history.empty() ? application.status : history.back().status;
    const auto form = labelling::parse_legal_form(f.legal_form);
    const auto* commune = communes.find(f.commune);
    const auto* territory = commune ? communes.territory(commune->territory) : nullptr;

    json::object answers;
    for (const auto& [question, value] : f.self_assessment) answers[question] = value;
    const auto radar = self_radar(questionnaire, application);
    json::object radar_json;
    for (const auto& [marker, score] : radar) radar_json[marker] = score;
    const auto category = proposed_category(questionnaire, radar);
    json::array attachments;
    for (const auto& a : application.attachments) attachments.push_back(attachment_json(a));
    json::array steps;
    for (const auto& e : history) {
        steps.push_back(json::object{{"status", labelling::to_string(e.status)},
                                     {"label", labelling::french_label(e.status)},
                                     {"at", e.at},
                                     {"reason", e.reason}});
    }
    // What stops a submission matters while the holder may still act on it.
    json::array problems;
    const bool open_file = application.status == labelling::ApplicationStatus::brouillon ||
                           application.status == labelling::ApplicationStatus::deposee;
    if (open_file) {
        problems = problems_json(
            labelling::submission_problems(
                f, questionnaire,
                [&communes](std::string_view code) { return communes.find(code) != nullptr; }),
            f, questionnaire);
    }

    json::object out{
        {"id", application.id},
        {"status", labelling::to_string(status)},
        {"status_label", labelling::french_label(status)},
        {"editable", labelling::holder_may_edit(application.status, options.call_open)},
        {"created_at", application.created_at},
        {"updated_at", application.updated_at},
        {"holder", f.holder},
        {"legal_form", f.legal_form},
        {"legal_form_label", form ? json::value(labelling::french_label(*form)) : json::value("")},
        {"siret", f.siret},
        {"contact_name", f.contact_name},
        {"contact_email", f.contact_email},
        {"contact_phone", f.contact_phone},
        {"commune", f.commune},
        {"commune_name", commune ? commune->name : std::string()},
        {"territory", commune ? commune->territory : std::string()},
        {"territory_name", territory ? territory->label : std::string()},
        {"title", f.title},
        {"summary", f.summary},
    };
    if (options.with_description) out["description"] = f.description;
    out["requested_eur"] = f.requested_eur;
    out["self_assessment"] = std::move(answers);
    out["self_radar"] = std::move(radar_json);
    out["proposed_category"] = category.empty() ? json::value(nullptr) : json::value(category);
    out["attachments"] = std::move(attachments);
    out["history"] = std::move(steps);
    out["problems"] = std::move(problems);
    if (options.staff) out["owner_email"] = application.owner_email;
    return out;
}

json::array legal_forms_json() {
    json::array out;
    for (const auto form : labelling::legal_forms()) {
        out.push_back(json::object{{"id", labelling::to_string(form)},
                                   {"label", labelling::french_label(form)}});
    }
    return out;
}

json::array categories_json(const labelling::Questionnaire& questionnaire) {
    json::array out;
    for (const auto& c : questionnaire.categories) {
        out.push_back(json::object{{"id", c.id}, {"label", c.label}, {"cap_eur", c.cap_eur}});
    }
    return out;
}

std::optional<storage::InitiativeRecord> initiative_of(
    const storage::StoredApplication& application, const config::CommuneDirectory& communes) {
    const auto& f = application.fields;
    const auto* commune = communes.find(f.commune);
    if (!commune) return std::nullopt;
    return storage::InitiativeRecord{application.id,      trim_text(f.title), trim_text(f.summary),
                                     trim_text(f.holder), commune->code,      commune->territory,
                                     f.requested_eur};
}

labelling::RadarTexts self_radar_texts(std::string_view title) {
    labelling::RadarTexts texts;
    texts.title = "Auto-évaluation du porteur";
    if (!title.empty()) {
        texts.title += " — ";
        texts.title += title;
    }
    texts.aggregate_name = "Auto-évaluation du porteur";
    texts.overview = "Radar de {} marqueurs, gradué de 0 à 100.";
    texts.series = "{}\u00a0: {}.";
    texts.score_separator = "\u202f; ";
    texts.not_scored = "sans réponse complète";
    texts.no_markers = "Aucun marqueur à afficher.";
    return texts;
}

}  // namespace budget::server::api
