#include "server/api/my_data_api.hpp"

#include <boost/json.hpp>

#include "server/api/auth_api.hpp"
#include "server/api/ballot_api.hpp"
#include "server/api/request_body.hpp"

namespace budget::server::api {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

Response store_refusal(storage::StoreError error, unsigned version) {
    return fail(
        error == storage::StoreError::corrupt ? Error::internal : Error::storage_unavailable,
        version);
}

// "3 décembre 2026", the day of an instant in Paris (french_date without its time).
std::string french_day(std::int64_t unix_seconds) {
    auto text = french_date(unix_seconds);
    return text.substr(0, text.find(" à "));
}

// When the purge removes what has no TTL of its own (docs/personal-data.md, section 4).
std::string purge_words(const config::PrivacyConfig& privacy) {
    if (!privacy.automatic_purge)
        return "jusqu’à la purge que le Département lance après la publication des résultats";
    const auto days = privacy.purge_after_days;
    return "jusqu’à la purge, " + std::to_string(days) + (days > 1 ? " jours" : " jour") +
           " après la publication des résultats";
}

// A key with a TTL: its expiry, or the purge if that comes first (it may, for long TTLs).
std::string until_expiry(long long ttl_s, std::int64_t now, const config::PrivacyConfig& privacy,
                         bool long_lived) {
    if (ttl_s < 0) return purge_words(privacy);
    const auto at = now + ttl_s;
    if (long_lived) return purge_words(privacy) + ", et au plus tard le " + french_day(at);
    return "jusqu’au " + french_date(at);
}

std::string count_words(long long n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n > 1 ? many : one);
}

}  // namespace

// ---------------------------------------------------------------- pure steps

std::vector<HeldItem> held_items(const storage::AddressHoldings& address,
                                 const storage::VotedRecord& vote,
                                 const config::PrivacyConfig& privacy, std::int64_t now) {
    std::vector<HeldItem> held;
    const bool bound = !address.bound_identity.empty();
    if (bound) {
        held.push_back(
            {"Le lien entre votre adresse électronique et l’identité que vous avez déclarée",
             "Une empreinte chiffrée de l’adresse, liée à une empreinte chiffrée de l’identité ; "
             "ni l’adresse ni vos noms, prénoms et date de naissance n’y figurent en clair.",
             until_expiry(address.binding_ttl_s, now, privacy, true)});
        using State = storage::VotedRecord::State;
        if (vote.state == State::voted) {
            held.push_back(
                {vote.marker.recorded
                     ? "La mention qu’un bulletin a été déposé pour votre identité, avec le jour "
                       "et le moyen de connexion"
                     : "La mention qu’un bulletin a été déposé pour votre identité",
                 "Des empreintes chiffrées de votre identité (sous ses différentes écritures), "
                 "sans aucun lien avec le bulletin ni avec vos choix.",
                 purge_words(privacy)});
        } else if (vote.state == State::other_declaration) {
            held.push_back(
                {"La mention qu’un bulletin a été déposé pour une personne déclarée comme vous, "
                 "sous une autre écriture",
                 "Des empreintes chiffrées de l’identité, sans aucun lien avec le bulletin ni avec "
                 "vos choix.",
                 purge_words(privacy)});
        }
        held.push_back(
            {"L’identité déclarée lors de la vérification (noms, prénoms, date de naissance, "
             "commune), le domaine de votre adresse, l’heure et une empreinte du réseau de "
             "connexion, pour le contrôle des doublons",
             "Scellée : seule la Mission ESS peut l’ouvrir, hors ligne, avec une clé que le "
             "serveur n’a pas ; aucun lien avec le bulletin.",
             purge_words(privacy)});
    }
    if (address.codes_this_hour > 0) {
        held.push_back(
            {"Le nombre de codes envoyés à cette adresse depuis moins d’une heure : " +
                 count_words(address.codes_this_hour, "code", "codes") +
                 ", et un compteur par réseau d’où un code a été demandé",
             "Des compteurs rangés sous une empreinte chiffrée de l’adresse et du "
             "réseau (jamais l’adresse IP).",
             until_expiry(address.codes_ttl_s, now, privacy, false) + " (une heure au plus)"});
    }
    if (address.misses > 0) {
        held.push_back({"Le nombre de codes essayés alors qu’aucun n’était en attente : " +
                            count_words(address.misses, "essai", "essais"),
                        "Un compteur rangé sous une empreinte chiffrée de l’adresse.",
                        until_expiry(address.misses_ttl_s, now, privacy, false)});
    }
    held.push_back({"Le nombre de demandes faites depuis votre connexion dans l’heure",
                    "Un compteur rangé sous une empreinte chiffrée de votre adresse IP (jamais "
                    "l’adresse elle-même).",
                    "une heure au plus"});
    return held;
}

json::object my_data_json(const storage::AddressHoldings& address, const storage::VotedRecord& vote,
                          const std::vector<HeldItem>& held) {
    using State = storage::VotedRecord::State;
    const bool bound = !address.bound_identity.empty();
    const auto state = bound ? vote.state : State::not_voted;
    json::object ballot{{"cast", state != State::not_voted},
                        {"day", nullptr},
                        {"method", nullptr},
                        {"other_declaration", state == State::other_declaration}};
    if (state == State::voted && vote.marker.recorded) {
        ballot["day"] = vote.marker.day;
        if (vote.marker.method != storage::VoteMethod::unknown)
            ballot["method"] = storage::to_string(vote.marker.method);
    }
    json::array items;
    for (const auto& item : held)
        items.push_back(
            json::object{{"what", item.what}, {"form", item.form}, {"until", item.until}});
    return json::object{
        {"email_bound", bound}, {"ballot", std::move(ballot)}, {"held", std::move(items)}};
}

// ---------------------------------------------------------------- the handler

MyDataApi::MyDataApi(AppContext& ctx)
    : ctx_(ctx), email_key_(mailbox_key(ctx.pepper)), ip_key_(client_address_key(ctx.pepper)) {}

void MyDataApi::register_routes(http::Router& router) {
    router.add(http::verb::post, "/api/v1/my-data",
               [this](RequestContext& rc) { return report(rc); });
}

asio::awaitable<Response> MyDataApi::report(RequestContext& rc) {
    const auto v = rc.request.version();
    // A resident's write as the others (the code is consumed): not from another site, JSON.
    // No vote window: a code sent during the vote still asks after the close.
    if (auto refused = resident_write_refusal(rc.request)) co_return std::move(*refused);
    auto body = parse_json_object(rc.request);
    if (auto* rej = std::get_if<Rejection>(&body)) co_return rej->to_response(v);
    auto read = read_code_form(std::get<json::object>(body), v);
    if (auto* refused = std::get_if<Response>(&read)) co_return std::move(*refused);
    const auto& form = std::get<CodeForm>(read);
    // Counted with the challenges and verifications: one more way to try codes.
    if (auto limited = co_await client_limit_refusal(ctx_, ip_key_, rc))
        co_return std::move(*limited);
    const auto consumed =
        co_await ctx_.stores.codes.consume(crypto::hmac_hex(email_key_, form.mailbox), form.code,
                                           ctx_.config.otp.max_tries, ctx_.config.otp.code_ttl);
    if (!consumed) co_return store_refusal(consumed.error(), v);
    if (consumed->outcome != storage::CodeCheck::ok)
        co_return code_refusal(consumed->outcome, consumed->tries_left, v);
    const auto& held = consumed->held;
    storage::VotedRecord vote;
    if (!held.bound_identity.empty()) {
        // The primary claim alone: the other claims need the names, which the engine does not
        // keep. A claim of this primary in the shard's set is another declaration's ballot.
        std::vector<std::string> claims(1, held.bound_identity);
        auto record = co_await ctx_.stores.ballots.voted_record(std::move(claims));
        if (!record) co_return store_refusal(record.error(), v);
        vote = *record;
    }
    const auto items = held_items(held, vote, ctx_.config.privacy, ctx_.clock.now());
    co_return http::json_response(http::status::ok, my_data_json(held, vote, items), v);
}

}  // namespace budget::server::api
