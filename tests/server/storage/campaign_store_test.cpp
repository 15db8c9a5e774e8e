#include "server/storage/campaign_store.hpp"

#include <sodium.h>

#include <catch2/catch.hpp>

#include "config/config.hpp"
#include "config/files.hpp"
#include "labelling/questionnaire_toml.hpp"
#include "server/core/crypto.hpp"
#include "server/core/signing.hpp"

using namespace budget;
using namespace budget::server;
using namespace budget::server::storage;

namespace {

const labelling::Questionnaire& questionnaire() {
    static const auto q = [] {
        const auto c = config::parse_config("", "test", ".");
        const auto text = config::read_text_file(c.labelling.questionnaire).value();
        return labelling::parse_questionnaire_toml(text, c.labelling.questionnaire).value();
    }();
    return q;
}

labelling::Answers all_answers(int value) {
    labelling::Answers answers;
    for (const auto& marker : questionnaire().markers) {
        for (const auto& question : marker.questions) answers[question.id] = value;
    }
    return answers;
}

InitiativeRecord record(const std::string& id, std::int64_t requested) {
    return {id, "Titre " + id, "Résumé « " + id + " »", "Porteur", "62041", "arrageois", requested};
}

/// Three reviewers answering `value` everywhere, and a decision.
void reviewed(LabellingSnapshot& snap, const InitiativeRecord& r, int value,
              const std::string& decision, const std::string& category) {
    snap.initiatives[r.id] = r;
    for (const auto* who : {"alice", "bob", "carol"}) {
        snap.evaluations[r.id].push_back({who, all_answers(value), "2026-06-01T10:00:00Z"});
    }
    if (!decision.empty()) {
        snap.decisions[r.id] = {decision,  category, "", "alice", "2026-06-02T10:00:00Z",
                                value >= 3};
    }
}

}  // namespace

TEST_CASE("only labelled initiatives reach the ballot, capped by their category",
          "[server][labelling]") {
    LabellingSnapshot snap;
    reviewed(snap, record("fort", 9000), 4, "label", "pratique_ess");
    reviewed(snap, record("faible", 1000), 1, "refuse", "");
    reviewed(snap, record("en-attente", 1000), 3, "", "");
    reviewed(snap, record("modeste", 2000), 3, "label", "cooperation");
    const auto ballot = labelled_initiatives(snap, questionnaire());
    REQUIRE(ballot.size() == 2);
    CHECK(ballot[0].id == "fort");  // sorted by id
    CHECK(ballot[0].category == "pratique_ess");
    CHECK(ballot[0].requested_eur == 9000);
    CHECK(ballot[0].amount_eur == 4500);
    CHECK(ballot[0].radar.at("gouvernance") == 100);
    CHECK(ballot[1].id == "modeste");
    CHECK(ballot[1].amount_eur == 2000);
    CHECK(ballot[1].radar.at("gouvernance") == 75);
}

TEST_CASE("the ballot document is canonical JSON that parses back into the same ballot",
          "[server][labelling]") {
    REQUIRE(sodium_init() >= 0);
    LabellingSnapshot snap;
    reviewed(snap, record("fort", 9000), 4, "label", "pratique_ess");
    const auto initiatives = labelled_initiatives(snap, questionnaire());
    const auto digest = labelling::questionnaire_digest(questionnaire());
    const auto document = ballot_document("2026", initiatives, digest, "2026-09-01T00:00:00+02:00");

    CHECK(document.find('\n') == std::string::npos);
    CHECK(document.rfind("{\"campaign\":\"2026\",\"initiatives\":[{\"amount_eur\":4500,"
                         "\"category\":\"pratique_ess\",\"commune\":\"62041\",",
                         0) == 0);
    CHECK(document.find("\"questionnaire_digest\":\"" + digest + "\",\"sealed_at\"") !=
          std::string::npos);
    CHECK(document == ballot_document("2026", initiatives, digest, "2026-09-01T00:00:00+02:00"));

    SigningKey key;
    crypto_sign_keypair(key.public_key.data(), key.secret_key.data());
    const auto signature = sign_base64(key, document);
    const auto parsed =
        CampaignStore::parse_ballot(document, crypto::sha256_hex(document), signature, "pk");
    REQUIRE(parsed.has_value());
    const auto* fort = (*parsed)->find("fort");
    REQUIRE(fort);
    CHECK(fort->amount_eur == 4500);
    CHECK(fort->radar == initiatives[0].radar);
    CHECK(fort->summary == "Résumé « fort »");

    unsigned char raw[crypto_sign_BYTES];
    std::size_t length = 0;
    REQUIRE(sodium_base642bin(raw, sizeof raw, signature.data(), signature.size(), nullptr, &length,
                              nullptr, sodium_base64_VARIANT_ORIGINAL) == 0);
    CHECK(crypto_sign_verify_detached(raw, reinterpret_cast<const unsigned char*>(document.data()),
                                      document.size(), key.public_key.data()) == 0);
}

TEST_CASE("a document that does not match its digest is refused as corrupt",
          "[server][labelling]") {
    const auto document = ballot_document("2026", {}, "d", "t");
    const auto parsed = CampaignStore::parse_ballot(document, std::string(64, '0'), "", "");
    REQUIRE_FALSE(parsed.has_value());
    CHECK(parsed.error() == StoreError::corrupt);
}
