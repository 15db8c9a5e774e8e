#include "server/tally_service.hpp"

#include <sodium.h>

#include <boost/json.hpp>

#include "server/crypto.hpp"
#include "voting/canonical_json.hpp"
#include "voting/results.hpp"

namespace budget::server {

namespace json = boost::json;

std::string ballot_log_key(const std::string& c, int shard) {
    return "budget:{c" + c + ":b" + std::to_string(shard) + "}:log";
}
std::string ballot_stats_key(const std::string& c, int shard) {
    return "budget:{c" + c + ":b" + std::to_string(shard) + "}:stats";
}
std::string results_key(const std::string& c) { return "budget:{c" + c + "}:results"; }
std::string draft_results_key(const std::string& c) { return "budget:{c" + c + "}:results:draft"; }

json::object SignedResults::to_json() const {
    return json::object{
        {"document", json::parse(document)}, {"signature", signature}, {"public_key", public_key}};
}

voting::TallyBuilder make_tally_builder(const SealedBallot& ballot) {
    std::vector<std::string> ids;
    ids.reserve(ballot.initiatives.size());
    for (const auto& i : ballot.initiatives) ids.push_back(i.id);
    return voting::TallyBuilder(std::move(ids));
}

std::string campaign_config_digest(const config::CampaignConfig& c) {
    const json::object settings{{"id", c.id},
                                {"vote_opens", c.vote_opens},
                                {"vote_closes", c.vote_closes},
                                {"max_choices", c.max_choices},
                                {"min_age", c.min_age},
                                {"envelope_eur", c.envelope_eur},
                                {"departement", c.departement}};
    return crypto::sha256_hex(*voting::canonical_json(settings));
}

boost::system::result<SignedResults, std::string> finish_tally(
    const config::Config& config, const SealedBallot& ballot, const voting::TallyBuilder& tally,
    voting::Rule rule, const SigningKey& key, const std::string& tallied_at,
    std::uint64_t tree_heads_checked) {
    std::vector<voting::Project> projects;
    voting::ResultsInput in;
    const auto& c = config.campaign;
    in.campaign_id = c.id;
    in.campaign_title = c.title;
    in.vote_opens = c.vote_opens;
    in.vote_closes = c.vote_closes;
    in.max_choices = c.max_choices;
    in.envelope_eur = c.envelope_eur;
    in.ballot_definition_digest = ballot.digest;
    in.config_digest = campaign_config_digest(c);
    in.public_key_fingerprint = key_fingerprint(key.public_key);
    in.tallied_at = tallied_at;
    in.tree_heads_checked = tree_heads_checked;
    {
        boost::system::error_code ec;
        const auto doc = json::parse(ballot.document, ec);
        if (!ec && doc.is_object()) {
            if (const auto* q = doc.as_object().if_contains("questionnaire_digest");
                q && q->is_string())
                in.questionnaire_digest = std::string(q->as_string());
        }
    }
    for (const auto& i : ballot.initiatives) {
        projects.push_back(voting::Project{i.id, i.amount_eur, i.territory});
        in.initiatives.push_back(
            voting::ResultsInitiative{i.id, i.title, i.territory, i.category, i.amount_eur});
    }
    const auto allocation = voting::allocate(rule, projects, tally.ballots(), c.envelope_eur);
    if (!allocation) {
        return {boost::system::in_place_error,
                std::string("allocation failed: ") + voting::describe(allocation.error())};
    }
    const auto document = voting::make_results_document(in, tally, *allocation);
    auto text = voting::canonical_json(document);
    if (!text)
        return {boost::system::in_place_error,
                "the results document holds a floating-point number"};
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(text->data()),
                         text->size(), key.secret_key.data());
    return SignedResults{std::move(*text), base64_encode(sig, sizeof sig),
                         base64_encode(key.public_key.data(), key.public_key.size())};
}

namespace {
std::string csv_field(std::string text) {
    // Quote when needed, doubling quotes, so that titles with ';' stay in their column.
    if (text.find_first_of(";\"\r\n") == std::string::npos) return text;
    std::string out = "\"";
    for (char ch : text) {
        if (ch == '"') out += '"';
        out += ch;
    }
    return out + "\"";
}
}  // namespace

std::string results_csv(const json::object& doc) {
    std::string out = "\xEF\xBB\xBF";  // BOM: office tools then read the file as UTF-8
    out += "identifiant;titre;territoire;catégorie;montant_eur;voix;financé;rang;motif\r\n";
    for (const auto& v : doc.at("initiatives").as_array()) {
        const auto& i = v.as_object();
        out += csv_field(json::value_to<std::string>(i.at("id"))) + ";" +
               csv_field(json::value_to<std::string>(i.at("title"))) + ";" +
               csv_field(json::value_to<std::string>(i.at("territory"))) + ";" +
               csv_field(json::value_to<std::string>(i.at("category"))) + ";" +
               std::to_string(i.at("amount_eur").to_number<std::int64_t>()) + ";" +
               std::to_string(i.at("votes").to_number<std::int64_t>()) + ";" +
               (i.at("funded").as_bool() ? "oui" : "non") + ";" +
               std::to_string(i.at("rank").to_number<std::int64_t>()) + ";" +
               csv_field(json::value_to<std::string>(i.at("reason"))) + "\r\n";
    }
    return out;
}

}  // namespace budget::server
