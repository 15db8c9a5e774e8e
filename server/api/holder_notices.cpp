#include "server/api/holder_notices.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "server/api/application_views.hpp"
#include "server/core/log.hpp"

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

namespace asio = boost::asio;

HolderNotifier::HolderNotifier(AppContext& ctx)
    : ctx_(ctx), delivery_(make_delivery(ctx.config.otp, ctx.blocking_pool)) {}

void HolderNotifier::start(asio::io_context& ioc, std::string origin) {
    origin_ = std::move(origin);
    asio::co_spawn(asio::make_strand(ioc), run(), asio::detached);
}

asio::awaitable<void> HolderNotifier::run() {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    while (true) {
        try {
            co_await sweep();
        } catch (const std::exception& e) {
            log_event("error", "holder_notice_failed", {{"reason", e.what()}});
        }
        timer.expires_after(ctx_.config.holders.notify_interval);
        boost::system::error_code ec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return;
    }
}

asio::awaitable<std::optional<int>> HolderNotifier::sweep() {
    auto applications = co_await ctx_.stores.applications.all();
    if (!applications) co_return std::nullopt;
    if (applications->empty()) co_return 0;
    // One reading of the campaign for every application of this look.
    auto reading = co_await read_campaign_facts(ctx_);
    if (!reading) co_return std::nullopt;
    int sent = 0;
    for (const auto& application : *applications) {
        const auto history =
            application_history(application, campaign_facts(*reading, application.id));
        if (history.empty()) continue;
        const auto& now = history.back();
        // A draft is the holder's own doing: nothing to tell.
        if (now.status == labelling::ApplicationStatus::brouillon) continue;
        const std::string status(labelling::to_string(now.status));
        if (status == application.notified) continue;
        // Claim the change first, so that another budgetd process does not send it too.
        auto claimed = co_await ctx_.stores.applications.mark_notified(
            application.id, application.notified, status);
        if (!claimed || !*claimed) continue;
        const auto notice = holder_notice(now, application.fields.title,
                                          origin_ + "/porteurs/dossier.html?id=" + application.id);
        if (co_await delivery_->send_notice(application.owner_email, notice.subject, notice.text)) {
            ++sent;
            log_event("info", "holder_notified",
                      {{"application", application.id}, {"status", status}});
        } else {
            // Give the claim back: the next look tries again.
            co_await ctx_.stores.applications.mark_notified(application.id, status,
                                                            application.notified);
            log_event("warn", "holder_notice_undelivered",
                      {{"application", application.id}, {"status", status}});
        }
    }
    co_return sent;
}

}  // namespace budget::server::api
