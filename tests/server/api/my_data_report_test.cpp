// The resident's report (issue 18), its pure parts: the French list of what the engine holds
// and the JSON's shape, the same for every address whatever it holds; never a ballot id, a
// choice or a receipt.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "server/api/my_data_api.hpp"

namespace api = budget::server::api;
namespace storage = budget::server::storage;
namespace config = budget::config;
namespace json = boost::json;

namespace {

// 2026-09-14T12:00:00+02:00.
constexpr std::int64_t kNow = 1'789'380'000;

storage::AddressHoldings bound_address() {
    storage::AddressHoldings a;
    a.bound_identity = std::string(40, 'a');
    a.binding_ttl_s = 400LL * 24 * 3600;
    a.codes_this_hour = 2;
    a.codes_ttl_s = 1800;
    return a;
}

storage::VotedRecord voted(storage::VoteMethod method) {
    return {storage::VotedRecord::State::voted, {true, method, "2026-09-14"}};
}

std::string all_text(const std::vector<api::HeldItem>& held) {
    std::string text;
    for (const auto& h : held) text += h.what + "\n" + h.form + "\n" + h.until + "\n";
    return text;
}

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("the report of a resident who voted by e-mail gives the day and the method",
          "[my_data]") {
    const auto address = bound_address();
    const auto vote = voted(storage::VoteMethod::email);
    const auto body = api::my_data_json(address, vote, api::held_items(address, vote, {}, kNow));
    CHECK(body.at("email_bound").as_bool());
    const auto& ballot = body.at("ballot").as_object();
    CHECK(ballot.at("cast").as_bool());
    CHECK(ballot.at("day").as_string() == "2026-09-14");
    CHECK(ballot.at("method").as_string() == "email");
    CHECK_FALSE(ballot.at("other_declaration").as_bool());
    // Nothing of the ballot itself, nor of the identity key.
    const auto text = json::serialize(body);
    CHECK_FALSE(has(text, "ballot_id"));
    CHECK_FALSE(has(text, "receipt"));
    CHECK_FALSE(has(text, "choices"));
    CHECK_FALSE(has(text, address.bound_identity));
}

TEST_CASE("the ballot part of the report says each state of the voted record", "[my_data]") {
    const auto address = bound_address();
    auto ballot_of = [&](const storage::VotedRecord& vote) {
        return api::my_data_json(address, vote, {}).at("ballot").as_object();
    };
    SECTION("not voted") {
        const auto b = ballot_of({});
        CHECK_FALSE(b.at("cast").as_bool());
        CHECK(b.at("day").is_null());
        CHECK(b.at("method").is_null());
        CHECK_FALSE(b.at("other_declaration").as_bool());
    }
    SECTION("by FranceConnect") {
        CHECK(ballot_of(voted(storage::VoteMethod::franceconnect)).at("method").as_string() ==
              "franceconnect");
    }
    SECTION("from a session sealed before the method was: the day, no method") {
        const auto b = ballot_of(voted(storage::VoteMethod::unknown));
        CHECK(b.at("cast").as_bool());
        CHECK(b.at("day").as_string() == "2026-09-14");
        CHECK(b.at("method").is_null());
    }
    SECTION("an old marker (\"1\"): voted, no details") {
        const auto b = ballot_of({storage::VotedRecord::State::voted, {}});
        CHECK(b.at("cast").as_bool());
        CHECK(b.at("day").is_null());
        CHECK(b.at("method").is_null());
        CHECK_FALSE(b.at("other_declaration").as_bool());
    }
    SECTION("under another declaration: voted, day and method unknown") {
        const auto b = ballot_of({storage::VotedRecord::State::other_declaration, {}});
        CHECK(b.at("cast").as_bool());
        CHECK(b.at("day").is_null());
        CHECK(b.at("method").is_null());
        CHECK(b.at("other_declaration").as_bool());
    }
}

TEST_CASE("an address bound to no one has the same shape, with nothing bound nor voted",
          "[my_data]") {
    storage::AddressHoldings address;
    address.codes_this_hour = 1;
    address.codes_ttl_s = 3500;
    // A vote record given for no binding is not used: the report is about this address.
    const auto vote = voted(storage::VoteMethod::email);
    const auto body = api::my_data_json(address, vote, api::held_items(address, vote, {}, kNow));
    const auto bound = api::my_data_json(bound_address(), vote, {});
    CHECK_FALSE(body.at("email_bound").as_bool());
    CHECK_FALSE(body.at("ballot").at("cast").as_bool());
    CHECK(body.at("ballot").at("day").is_null());
    // The same keys, in the same places.
    for (const auto* part : {"email_bound", "ballot", "held"}) CHECK(bound.contains(part));
    CHECK(body.size() == bound.size());
    CHECK(body.at("ballot").as_object().size() == bound.at("ballot").as_object().size());
    const auto text = all_text(api::held_items(address, vote, {}, kNow));
    CHECK_FALSE(has(text, "identité"));
    CHECK(has(text, "1 code,"));
}

TEST_CASE("the held list names each datum, its form and until when, in French", "[my_data]") {
    config::PrivacyConfig privacy;  // automatic purge, 30 days after publication
    auto address = bound_address();
    address.misses = 1;
    address.misses_ttl_s = 600;
    const auto held = api::held_items(address, voted(storage::VoteMethod::email), privacy, kNow);
    for (const auto& h : held) {
        INFO(h.what);
        CHECK_FALSE(h.what.empty());
        CHECK_FALSE(h.form.empty());
        CHECK_FALSE(h.until.empty());
    }
    const auto text = all_text(held);
    // The binding: until the purge, at the latest when its TTL ends (400 days from now).
    CHECK(
        has(text, "Le lien entre votre adresse électronique et l’identité que vous avez déclarée"));
    CHECK(has(text,
              "jusqu’à la purge, 30 jours après la publication des résultats, et au plus "
              "tard le 19 octobre 2027"));
    CHECK(has(text, "La mention qu’un bulletin a été déposé pour votre identité, avec le jour"));
    CHECK(has(text, "Scellée : seule la Mission ESS peut l’ouvrir"));
    // Counters: the count with its plural, the hour they end.
    CHECK(has(text, "depuis moins d’une heure : 2 codes"));
    CHECK(has(text, "jusqu’au 14 septembre 2026 à 12:30 (une heure au plus)"));
    CHECK(has(text, "aucun n’était en attente : 1 essai"));
    CHECK(has(text, "jusqu’au 14 septembre 2026 à 12:10"));
    // French typography: no straight apostrophe, no plain space before : ; ! ?
    CHECK_FALSE(has(text, "'"));
    // (U+00A0 before ':', U+202F before ';' '!' '?', as tests/browser's check reads them.)
    for (const char* bad : {" :", " ;", " !", " ?", " :", " ;", " !", " ?"})
        CHECK_FALSE(has(text, bad));
    SECTION("without the automatic purge, the Département's purge is named") {
        privacy.automatic_purge = false;
        privacy.purge_after_days = 1;
        const auto manual =
            all_text(api::held_items(address, voted(storage::VoteMethod::email), privacy, kNow));
        CHECK(has(manual, "jusqu’à la purge que le Département lance après la publication"));
    }
    SECTION("one day is said in the singular") {
        privacy.purge_after_days = 1;
        CHECK(has(all_text(api::held_items(address, {}, privacy, kNow)),
                  "jusqu’à la purge, 1 jour après"));
    }
}

TEST_CASE("a ballot under another declaration, or an old marker, is said without details",
          "[my_data]") {
    const auto address = bound_address();
    const auto other = all_text(
        api::held_items(address, {storage::VotedRecord::State::other_declaration, {}}, {}, kNow));
    CHECK(has(other, "pour une personne déclarée comme vous, sous une autre écriture"));
    const auto old =
        all_text(api::held_items(address, {storage::VotedRecord::State::voted, {}}, {}, kNow));
    CHECK(has(old, "La mention qu’un bulletin a été déposé pour votre identité\n"));
    const auto none = all_text(api::held_items(address, {}, {}, kNow));
    CHECK_FALSE(has(none, "bulletin a été déposé"));
}
