#include "server/api/errors.hpp"

#include <array>
#include <boost/json.hpp>
#include <cstddef>

namespace budget::server::api {

namespace {

using s = http::status;
using E = Error;

struct Row {
    Error error;
    ErrorEntry entry;
};

// The table. One row per Error, in the enum's order (checked at compile time below).
constexpr Row kTable[] = {
    {E::malformed_request, {s::bad_request, "malformed_request", "La requête est mal formée."}},
    {E::not_json_content,
     {s::unsupported_media_type, "unsupported_media_type",
      "Le corps de la requête doit être envoyé en JSON, avec l’en-tête Content-Type "
      "« application/json »."}},
    {E::malformed_json,
     {s::bad_request, "malformed_json",
      "Le corps de la requête n’est pas un document JSON valide."}},
    {E::body_not_object,
     {s::bad_request, "malformed_json", "Le corps de la requête doit être un objet JSON."}},
    {E::too_large, {s::payload_too_large, "too_large", "La requête est trop volumineuse."}},
    {E::headers_too_large,
     {s::payload_too_large, "headers_too_large",
      "Les en-têtes de la requête sont trop volumineux."}},
    {E::not_found, {s::not_found, "not_found", "La ressource demandée n’existe pas."}},
    {E::method_not_allowed,
     {s::method_not_allowed, "method_not_allowed",
      "Cette méthode n’est pas acceptée pour cette adresse."}},
    {E::storage_unavailable,
     {s::service_unavailable, "storage_unavailable",
      "Le service est momentanément indisponible. Réessayez dans quelques instants ; rien n’a "
      "été enregistré."}},
    {E::internal,
     {s::internal_server_error, "internal_error",
      "Une erreur interne est survenue ; rien n’a été enregistré."}},
    {E::shutting_down,
     {s::service_unavailable, "shutting_down",
      "Le service redémarre. Réessayez dans quelques instants."}},

    {E::field_missing, {s::bad_request, "invalid_field", "Le champ « {} » est obligatoire."}},
    {E::field_not_string,
     {s::bad_request, "invalid_field", "Le champ « {} » doit être une chaîne de caractères."}},
    {E::field_too_long,
     {s::bad_request, "invalid_field", "Le champ « {} » dépasse {} caractères."}},
    {E::field_invalid_text,
     {s::bad_request, "invalid_field", "Le champ « {} » contient des caractères invalides."}},
    {E::field_not_integer,
     {s::bad_request, "invalid_field", "Le champ « {} » doit être un nombre entier."}},
    {E::field_not_list, {s::bad_request, "invalid_field", "Le champ « {} » doit être une liste."}},
    {E::field_too_many_items,
     {s::bad_request, "invalid_field", "Le champ « {} » contient trop d’éléments."}},
    {E::field_not_string_list,
     {s::bad_request, "invalid_field",
      "Le champ « {} » doit être une liste de chaînes de caractères."}},
    {E::field_invalid_id,
     {s::bad_request, "invalid_field", "Le champ « {} » contient un identifiant invalide."}},
    {E::field_unknown_value,
     {s::bad_request, "invalid_field", "Le champ «\u00a0{}\u00a0» ne peut valoir que {}."}},

    {E::invalid_email,
     {s::unprocessable_entity, "invalid_email", "L’adresse électronique n’est pas valide."}},
    {E::invalid_name,
     {s::unprocessable_entity, "invalid_name",
      "Les prénoms et les noms s’écrivent comme à l’état civil, en lettres latines (accents "
      "compris), avec des espaces, des traits d’union, des apostrophes ou des points, sans "
      "chiffre ni symbole."}},
    {E::invalid_birth_date,
     {s::unprocessable_entity, "invalid_birth_date",
      "La date de naissance doit être une date réelle au format AAAA-MM-JJ."}},
    {E::implausible_birth_date,
     {s::unprocessable_entity, "invalid_birth_date", "La date de naissance n’est pas plausible."}},
    {E::code_format, {s::unauthorized, "invalid_code", "Le code doit comporter 6 chiffres."}},
    {E::code_wrong,
     {s::unauthorized, "invalid_code",
      "Code incorrect : vérifiez le code reçu par courriel. Il vous reste {} essais."}},
    {E::code_wrong_last,
     {s::unauthorized, "invalid_code",
      "Code incorrect : vérifiez le code reçu par courriel. Il vous reste 1 essai ; "
      "après, il faudra demander un nouveau code."}},
    {E::code_dead,
     {s::unauthorized, "invalid_code",
      "Ce code n’est plus valable (expiré, déjà utilisé ou trop d’essais) : demandez un "
      "nouveau code."}},
    {E::too_young,
     {s::forbidden, "too_young", "Il faut avoir au moins {} ans le jour du vote pour participer."}},
    {E::not_resident,
     {s::forbidden, "not_resident",
      "Le vote est réservé aux habitants du Pas-de-Calais : la commune indiquée n’en fait pas "
      "partie."}},
    {E::unknown_commune,
     {s::forbidden, "not_resident",
      "Aucune commune du Pas-de-Calais n’a le code INSEE « {} » : le vote est "
      "réservé aux habitants du département. Choisissez votre commune dans la liste."}},
    {E::email_already_used,
     {s::conflict, "email_already_used",
      "Cette adresse électronique a déjà servi à vérifier l’identité d’une autre personne. "
      "Une boîte aux lettres ne sert qu’à une personne, même écrite autrement (avec un « + » "
      "ou des points). Si c’est bien vous, saisissez vos prénoms, nom et date de naissance "
      "comme la première fois."}},
    {E::address_rate_limited,
     {s::too_many_requests, "rate_limited",
      "Trop de tentatives. Patientez quelques instants avant de réessayer."}},
    {E::codes_rate_limited,
     {s::too_many_requests, "rate_limited",
      "Trop de codes demandés pour cette adresse. Réessayez dans une heure."}},
    {E::delivery_failed,
     {s::service_unavailable, "delivery_failed",
      "Le code n’a pas pu être envoyé. Réessayez dans quelques instants."}},
    {E::vote_not_open,
     {s::forbidden, "vote_not_open", "Le vote n’est pas ouvert : il a lieu du {} au {}."}},
    {E::vote_not_yet_open,
     {s::forbidden, "vote_not_open",
      "Le vote n’est pas encore ouvert : il ouvrira le {} et fermera le {}."}},
    {E::vote_closed,
     {s::forbidden, "vote_not_open", "Le vote est clos : il a eu lieu du {} au {}."}},
    {E::vote_closed_recorded,
     {s::conflict, "vote_closed", "Le vote est clos, aucun bulletin n’est plus reçu."}},
    {E::voter_not_authenticated,
     {s::unauthorized, "not_authenticated",
      "Votre session a expiré ou n’existe pas : vérifiez de nouveau votre adresse électronique "
      "pour voter."}},
    {E::invalid_idempotency_key,
     {s::bad_request, "invalid_idempotency_key",
      "L’en-tête Idempotency-Key doit compter de 16 à 64 lettres, chiffres, « - » ou « _ »."}},
    {E::invalid_choices, {s::unprocessable_entity, "invalid_choices", "{}"}},
    {E::already_voted,
     {s::conflict, "already_voted",
      "Vous avez déjà voté pour ce budget citoyen : une seule participation par personne est "
      "possible."}},
    {E::idempotency_key_reused,
     {s::conflict, "idempotency_key_reused",
      "Cette clé Idempotency-Key a déjà servi pour un bulletin aux choix différents : rien "
      "n’a été enregistré. Rechargez la page pour voir votre vote."}},
    {E::storage_not_durable,
     {s::service_unavailable, "storage_not_durable",
      "Le vote est momentanément suspendu. Réessayez dans quelques instants ; rien n’a été "
      "enregistré."}},
    {E::storage_misconfigured,
     {s::service_unavailable, "storage_misconfigured",
      "Le vote est momentanément suspendu. Réessayez plus tard ; rien n’a été enregistré."}},
    {E::ballot_outcome_unknown,
     {s::service_unavailable, "ballot_outcome_unknown",
      "Nous n’avons pas pu confirmer l’enregistrement de votre vote. Réessayez dans quelques "
      "instants : si votre vote a bien été enregistré, le site vous l’indiquera."}},
    {E::method_not_offered,
     {s::forbidden, "method_not_offered",
      "Ce moyen d’identification n’est pas proposé pour ce vote. Choisissez-en un autre sur la "
      "page du vote."}},
    {E::method_not_allowed_for_age,
     {s::forbidden, "method_not_allowed_for_age",
      "Les personnes majeures s’identifient avec FranceConnect pour ce vote. Le code envoyé par "
      "courriel est réservé aux jeunes de moins de 18 ans."}},
    {E::commune_not_declared,
     {s::forbidden, "commune_not_declared",
      "Indiquez d’abord votre commune : le vote est réservé aux habitants du "
      "Pas-de-Calais."}},

    {E::resident_origin_refused,
     {s::forbidden, "origin_refused",
      "Cette requête vient d’un autre site que celui du Budget citoyen : elle est refusée. "
      "Ouvrez la page de vote à son adresse officielle."}},
    {E::origin_refused,
     {s::forbidden, "origin_refused",
      "Cette requête vient d’un autre site que celui du Budget citoyen : elle est refusée."}},
    {E::csrf_failed,
     {s::forbidden, "csrf_failed",
      "La requête n’a pas pu être authentifiée (jeton anti-falsification absent ou invalide). "
      "Rechargez la page et réessayez."}},
    {E::staff_not_authenticated,
     {s::unauthorized, "not_authenticated",
      "Cet espace est réservé au comité de labellisation et à la Mission ESS : connectez-vous."}},
    {E::staff_session_expired,
     {s::unauthorized, "not_authenticated",
      "Votre session a expiré ou n’existe pas : reconnectez-vous."}},
    {E::committee_only,
     {s::forbidden, "forbidden", "Cette action est réservée au comité de labellisation."}},
    {E::mission_only, {s::forbidden, "forbidden", "Cette action est réservée à la Mission ESS."}},
    {E::invalid_credentials,
     {s::unauthorized, "invalid_credentials", "Identifiant ou mot de passe incorrect."}},
    {E::login_rate_limited,
     {s::too_many_requests, "rate_limited",
      "Trop de tentatives de connexion. Patientez quelques minutes avant de réessayer."}},
    {E::ballot_sealed,
     {s::conflict, "ballot_sealed",
      "Le vote est ouvert : la liste des initiatives, leurs évaluations et les décisions du "
      "comité sont scellées et ne peuvent plus changer."}},
    {E::unknown_initiative,
     {s::not_found, "unknown_initiative", "Aucune initiative n’a l’identifiant « {} »."}},
    {E::unknown_labelled_initiative,
     {s::not_found, "unknown_initiative",
      "Aucune initiative labellisée n’a l’identifiant « {} »."}},
    {E::not_sealed_yet,
     {s::not_found, "not_sealed",
      "Le bulletin est scellé à l’ouverture du vote ({}) : il n’existe pas encore."}},
    {E::not_sealed, {s::not_found, "not_sealed", "Le bulletin n’est pas encore scellé."}},
    {E::invalid_initiatives_one,
     {s::unprocessable_entity, "invalid_initiatives",
      "1 initiative est refusée : rien n’a été enregistré. Corrigez les lignes signalées et "
      "renvoyez le lot entier."}},
    {E::invalid_initiatives_many,
     {s::unprocessable_entity, "invalid_initiatives",
      "{} initiatives sont refusées : rien n’a été enregistré. Corrigez les lignes signalées et "
      "renvoyez le lot entier."}},
    {E::invalid_initiatives_shape, {s::unprocessable_entity, "invalid_initiatives", "{}"}},
    {E::answers_not_object,
     {s::bad_request, "invalid_field",
      "Le champ « answers » doit être un objet {\"question\": réponse}."}},
    {E::too_many_answers,
     {s::bad_request, "invalid_field", "Le champ « answers » contient trop de réponses."}},
    {E::invalid_answers, {s::unprocessable_entity, "invalid_answers", "{}"}},
    {E::already_decided,
     {s::conflict, "already_decided",
      "Le comité a déjà pris sa décision sur cette initiative : les évaluations ne peuvent plus "
      "changer."}},
    {E::invalid_decision,
     {s::unprocessable_entity, "invalid_decision",
      "La décision doit être « label » (labelliser) ou « refuse » (refuser)."}},
    {E::justification_not_text,
     {s::bad_request, "invalid_field",
      "Le champ « justification » doit être une chaîne de caractères."}},
    {E::justification_too_long,
     {s::bad_request, "invalid_field",
      "La justification doit être un texte valide d’au plus {} caractères."}},
    {E::invalid_category,
     {s::unprocessable_entity, "invalid_category",
      "Pour labelliser, choisissez une catégorie parmi : {}."}},
    {E::justification_to_label,
     {s::unprocessable_entity, "justification_required",
      "Cette initiative ne franchit pas le seuil de labellisation : la labelliser exige une "
      "justification écrite."}},
    {E::justification_to_refuse,
     {s::unprocessable_entity, "justification_required",
      "Cette initiative franchit le seuil de labellisation : la refuser exige une justification "
      "écrite."}},
    {E::concurrent_change,
     {s::conflict, "concurrent_change",
      "Les évaluations de cette initiative changent en ce moment : rechargez le radar et "
      "recommencez."}},
    {E::invalid_limit,
     {s::bad_request, "invalid_limit", "Le paramètre « limit » doit être un nombre entier."}},

    {E::vote_not_closed,
     {s::conflict, "vote_not_closed",
      "Le dépouillement n’est possible qu’après la clôture du vote."}},
    {E::unknown_rule,
     {s::unprocessable_entity, "unknown_rule",
      "Règle inconnue : choisissez greedy, greedy-territorial, mes, mes-add1 ou mes-completed."}},
    {E::already_published, {s::conflict, "already_published", "Les résultats sont déjà publiés."}},
    {E::ballot_shards_mismatch,
     {s::conflict, "ballot_shards_mismatch",
      "Les bulletins ont été répartis en {} journaux, mais la configuration en indique {} : "
      "corrigez [redis] ballot_shards avant le dépouillement."}},
    {E::corrupt_log,
     {s::internal_server_error, "corrupt_log", "Le journal des bulletins est incohérent : {}"}},
    {E::tree_head_unreadable,
     {s::internal_server_error, "log_inconsistent",
      "Une tête d’arbre publiée pendant le vote est illisible : dépouillement refusé."}},
    {E::tree_head_unreadable_in_shard,
     {s::internal_server_error, "log_inconsistent",
      "Une tête d’arbre publiée pendant le vote est illisible (journal n° {}) : dépouillement "
      "refusé."}},
    {E::log_not_extending_head,
     {s::internal_server_error, "log_inconsistent",
      "Le journal des bulletins ne prolonge pas une tête d’arbre publiée pendant le vote "
      "(taille {}) : dépouillement refusé."}},
    {E::log_not_extending_head_in_shard,
     {s::internal_server_error, "log_inconsistent",
      "Le journal des bulletins ne prolonge pas une tête d’arbre publiée pendant le vote "
      "(journal n° {}, taille {}) : dépouillement refusé."}},
    {E::tally_failed, {s::internal_server_error, "tally_failed", "{}"}},
    {E::no_tally, {s::conflict, "no_tally", "Lancez d’abord le dépouillement."}},
    {E::not_published,
     {s::not_found, "not_published", "Les résultats ne sont pas encore publiés."}},
    {E::ballots_not_published,
     {s::not_found, "not_published", "Les bulletins sont publiés avec les résultats."}},
    {E::unknown_ballot, {s::not_found, "unknown_ballot", "Aucun bulletin ne porte ce numéro."}},
    {E::no_tree_head,
     {s::not_found, "no_tree_head", "Aucune tête d’arbre n’a encore été publiée."}},
    {E::invalid_range,
     {s::bad_request, "invalid_range",
      "Indiquez deux tailles d’arbre from et to avec 0 < from ≤ to."}},
    {E::beyond_log,
     {s::not_found, "beyond_log", "Le journal ne compte pas encore autant de bulletins."}},
    {E::invalid_query,
     {s::bad_request, "invalid_query",
      "Indiquez le numéro du bulletin (ballot_id) et, si vous le souhaitez, une taille d’arbre "
      "(tree_size)."}},
    {E::single_shard,
     {s::bad_request, "invalid_shard", "Ce budget citoyen n’a qu’un journal : shard vaut 0."}},
    {E::invalid_shard,
     {s::bad_request, "invalid_shard", "Indiquez un numéro de journal (shard) entre 0 et {}."}},
    {E::not_in_tree,
     {s::not_found, "not_in_tree",
      "Ce bulletin n’est pas encore couvert par cette tête d’arbre ; réessayez avec une plus "
      "récente."}},
    // FranceConnect
    {E::residence_already_declared,
     {s::conflict, "residence_already_declared",
      "Votre commune est déjà indiquée pour cette session : pour la changer, identifiez-vous de "
      "nouveau."}},
    // Initiative holders and the Mission's admissibility (issue 17)
    {E::holder_not_authenticated,
     {s::unauthorized, "holder_not_authenticated",
      "Votre session a expiré ou n’existe pas\u00a0: demandez un code à votre adresse électronique "
      "pour retrouver vos dossiers."}},
    {E::field_not_boolean,
     {s::bad_request, "invalid_field", "Le champ «\u00a0{}\u00a0» doit valoir true ou false."}},
    {E::invalid_application, {s::unprocessable_entity, "invalid_application", "{}"}},
    {E::application_incomplete, {s::unprocessable_entity, "application_incomplete", "{}"}},
    {E::call_not_open,
     {s::conflict, "call_not_open",
      "L’appel à initiatives n’est pas ouvert ({})\u00a0: les dossiers ne peuvent être ni créés ni "
      "modifiés."}},
    {E::call_not_scheduled,
     {s::conflict, "call_not_open",
      "Aucun appel à initiatives n’est prévu pour ce budget citoyen\u00a0: les dossiers ne peuvent "
      "être ni créés ni modifiés."}},
    {E::too_many_applications,
     {s::conflict, "too_many_applications",
      "Vous avez déjà {} dossiers, le maximum pour un porteur\u00a0: complétez l’un d’eux plutôt "
      "que d’en ouvrir un autre."}},
    {E::application_not_found,
     {s::not_found, "application_not_found",
      "Ce dossier n’existe pas ou n’est pas accessible avec cette session."}},
    {E::application_locked,
     {s::conflict, "application_locked",
      "La Mission ESS a statué sur ce dossier\u00a0: il ne peut plus être modifié."}},
    {E::already_submitted,
     {s::conflict, "already_submitted",
      "Ce dossier est déjà déposé\u00a0: vous pouvez encore le modifier jusqu’à la clôture de "
      "l’appel."}},
    {E::application_changed,
     {s::conflict, "application_changed",
      "Ce dossier vient d’être modifié par ailleurs\u00a0: rechargez la page et recommencez\u202f; "
      "rien "
      "n’a été enregistré."}},
    {E::attachment_too_large,
     {s::payload_too_large, "attachment_too_large",
      "La pièce jointe dépasse {}\u00a0Mo\u00a0: réduisez sa taille (un PDF compressé, des images "
      "moins lourdes) et renvoyez-la."}},
    {E::attachment_not_pdf,
     {s::unprocessable_entity, "attachment_not_pdf",
      "Ce fichier n’est pas un PDF\u00a0: seuls les documents PDF sont acceptés en pièce jointe."}},
    {E::attachment_wrong_type,
     {s::unsupported_media_type, "unsupported_media_type",
      "Une pièce jointe s’envoie au format PDF, avec l’en-tête Content-Type "
      "«\u00a0application/pdf\u00a0»."}},
    {E::too_many_attachments,
     {s::conflict, "too_many_attachments",
      "Ce dossier a déjà {} pièces jointes, le maximum\u00a0: retirez-en une avant d’en ajouter "
      "une "
      "autre."}},
    {E::attachment_not_found,
     {s::not_found, "attachment_not_found", "Ce dossier n’a pas cette pièce jointe."}},
    {E::reason_required,
     {s::unprocessable_entity, "reason_required",
      "Un dossier irrecevable se motive\u00a0: écrivez la raison, en {}\u00a0caractères au moins, "
      "pour "
      "le porteur."}},
    {E::reason_too_long,
     {s::unprocessable_entity, "reason_too_long",
      "Le motif doit être un texte valide d’au plus {}\u00a0caractères."}},
    {E::application_not_submitted,
     {s::conflict, "application_not_submitted",
      "Seul un dossier déposé, sur lequel la Mission n’a pas encore statué, peut être déclaré "
      "recevable ou irrecevable."}},
    {E::initiative_exists,
     {s::conflict, "initiative_exists",
      "Une initiative porte déjà l’identifiant «\u00a0{}\u00a0» (un import de la Mission)\u00a0: "
      "rien n’a "
      "été enregistré."}},
};

constexpr bool table_in_enum_order() {
    for (std::size_t i = 0; i < std::size(kTable); ++i) {
        if (static_cast<std::size_t>(kTable[i].error) != i) return false;
    }
    return static_cast<std::size_t>(Error::initiative_exists) + 1 == std::size(kTable);
}
static_assert(table_in_enum_order(), "kTable must list every Error once, in the enum's order");

Response error_body(const ErrorEntry& e, unsigned version, boost::json::object inner) {
    boost::json::object body{{"error", std::move(inner)}};
    auto res = http::json_response(e.status, body, version);
    if (e.status == s::service_unavailable) res.set(http::field::retry_after, "2");
    if (e.status == s::too_many_requests) res.set(http::field::retry_after, "60");
    return res;
}

}  // namespace

const ErrorEntry& entry(Error error) { return kTable[static_cast<std::size_t>(error)].entry; }

std::string error_message(Error error, std::initializer_list<std::string_view> args) {
    const auto text = entry(error).message;
    std::string out;
    out.reserve(text.size() + 32);
    auto next = args.begin();
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '{' && i + 1 < text.size() && text[i + 1] == '}' && next != args.end()) {
            out.append(*next++);
            ++i;
        } else {
            out += text[i];
        }
    }
    return out;
}

Response fail(Error error, unsigned version, std::initializer_list<std::string_view> args) {
    return fail_with(error, version, {}, args);
}

Response fail_with(Error error, unsigned version, boost::json::object extra,
                   std::initializer_list<std::string_view> args) {
    const auto& e = entry(error);
    boost::json::object inner{{"code", e.code}, {"message", error_message(error, args)}};
    for (auto& field : extra) inner[field.key()] = std::move(field.value());
    return error_body(e, version, std::move(inner));
}

Response fail_retry_after(Error error, unsigned version, long long retry_after_s) {
    auto res = fail(error, version);
    res.set(http::field::retry_after, std::to_string(std::max(1LL, retry_after_s)));
    return res;
}

Response transport_error(http::TransportError error, unsigned version) {
    using T = http::TransportError;
    switch (error) {
        case T::malformed_request:
            return fail(Error::malformed_request, version);
        case T::too_large:
            return fail(Error::too_large, version);
        case T::headers_too_large:
            return fail(Error::headers_too_large, version);
        case T::not_found:
            return fail(Error::not_found, version);
        case T::method_not_allowed:
            return fail(Error::method_not_allowed, version);
        case T::internal:
            break;
    }
    return fail(Error::internal, version);
}

}  // namespace budget::server::api
