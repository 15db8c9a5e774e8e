#include "server/api/holder_notices.hpp"

namespace budget::server::api {

using labelling::ApplicationStatus;

namespace {

// « » with their no-break spaces, as French typography wants them.
std::string quoted(const std::string& title) { return "«\u00a0" + title + "\u00a0»"; }

struct Wording {
    std::string subject_end;   ///< after "Votre dossier « … » "
    std::string what;          ///< the first paragraph after "Votre dossier « … » "
    std::string next;          ///< what comes next for the holder
    std::string reason_label;  ///< how the reason is introduced, "" for none
};

Wording wording_of(ApplicationStatus status) {
    switch (status) {
        case ApplicationStatus::brouillon:
            return {"est enregistré", "est enregistré comme brouillon.",
                    "Vous pouvez le compléter puis le déposer tant que l’appel à initiatives est "
                    "ouvert.",
                    ""};
        case ApplicationStatus::deposee:
            return {"est déposé", "est déposé : nous l’avons bien reçu.",
                    "La Mission ESS en examine la recevabilité. Vous pouvez encore le modifier "
                    "jusqu’à la clôture de l’appel à initiatives.",
                    ""};
        case ApplicationStatus::recevable:
            return {"est recevable", "est déclaré recevable par la Mission ESS.",
                    "Il passe maintenant devant le comité de labellisation, qui l’évalue sur les "
                    "marqueurs de l’ESS.",
                    "Commentaire de la Mission"};
        case ApplicationStatus::irrecevable:
            return {"n’est pas recevable", "n’est pas recevable.",
                    "Pour toute question, répondez à ce message ou adressez-vous au comptoir à "
                    "initiatives citoyennes de votre territoire.",
                    "Motif de la Mission"};
        case ApplicationStatus::labellisee:
            return {"est labellisé", "est labellisé par le comité.",
                    "Il sera soumis au vote des habitants à l’ouverture du vote.",
                    "Justification du comité"};
        case ApplicationStatus::refusee:
            return {"n’est pas labellisé", "n’est pas labellisé par le comité.",
                    "Il ne sera pas soumis au vote cette année.", "Justification du comité"};
        case ApplicationStatus::au_vote:
            return {"est soumis au vote", "est soumis au vote des habitants : le vote est ouvert.",
                    "Les résultats seront publiés après la clôture du vote.", ""};
        case ApplicationStatus::laureate:
            return {"est lauréat", "est lauréat du Budget citoyen : il sera financé.",
                    "La Mission ESS vous contactera pour la convention de financement.", ""};
        case ApplicationStatus::non_retenue:
            return {"n’est pas retenu", "n’est pas retenu à l’issue du vote.",
                    "Merci de votre participation : les résultats complets sont publiés sur le "
                    "site.",
                    ""};
    }
    return {"a changé", "a changé de statut.", "", ""};
}

// A French text: no-break space before ":" as everywhere a resident reads.
std::string with_french_spaces(std::string text) {
    std::string out;
    out.reserve(text.size() + 8);
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == ' ' && i + 1 < text.size() && text[i + 1] == ':') {
            out += "\u00a0";
            continue;
        }
        out += text[i];
    }
    return out;
}

}  // namespace

HolderNotice holder_notice(const labelling::StatusEvent& event, const std::string& title,
                           const std::string& page_url) {
    const auto w = wording_of(event.status);
    HolderNotice notice;
    notice.subject = "Votre dossier " + quoted(title) + " " + w.subject_end;
    std::string text = "Bonjour,\n\nVotre dossier " + quoted(title) + " " + w.what + "\n";
    if (!w.reason_label.empty() && !event.reason.empty()) {
        text += "\n" + w.reason_label + " :\n" + event.reason + "\n";
    }
    if (!w.next.empty()) text += "\n" + w.next + "\n";
    text += "\nSuivre votre dossier : " + page_url +
            "\n\nLa Mission ESS du Département\n(Ce message est envoyé automatiquement à chaque "
            "étape de votre dossier.)\n";
    notice.text = with_french_spaces(std::move(text));
    return notice;
}

}  // namespace budget::server::api
