// Integration: the labelling path over HTTP (staff sessions, labelling, the public ballot) with a
// real redis-server and budgetd, staff accounts made with budgetctl as an operator would.
#include "server/api/labelling_api.hpp"

#include <sodium.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <set>
#include <thread>

#include "server/core/crypto.hpp"
#include "server/storage/keys.hpp"
#include "tests/server/support/campaign_fixture.hpp"

using namespace budget::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

// Labelling before the vote, then the vote opened (and the ballot sealed).
const VoteWindow kFuture{"2099-09-01T00:00:00+02:00", "2099-09-30T23:59:59+02:00"};
const VoteWindow kOpen{"2020-09-01T00:00:00+02:00", "2099-09-30T23:59:59+02:00"};

namespace keys = budget::server::storage::keys;

json::value json_of(const HttpResult& r) { return json::parse(r.body); }

/// A key as one shell word for redis-cli (keys hold braces, never quotes).
std::string shell_word(const std::string& key) { return "'" + key + "'"; }

std::string error_code_of(const HttpResult& r) {
    return std::string(json_of(r).at("error").at("code").as_string());
}

json::object initiative(const std::string& id, const std::string& commune, int amount) {
    return {{"id", id},
            {"title", "Initiative " + id},
            {"summary", "Une initiative de l'économie sociale et solidaire : " + id + "."},
            {"holder", "Association " + id},
            {"commune", commune},
            {"requested_eur", amount}};
}

/// Every question of the questionnaire answered `value`.
json::object answers_all(const json::value& questionnaire, int value) {
    json::object answers;
    for (const auto& marker : questionnaire.at("markers").as_array()) {
        for (const auto& q : marker.at("questions").as_array()) {
            answers[q.at("id").as_string()] = value;
        }
    }
    return {{"answers", std::move(answers)}};
}

std::vector<std::string> ids_of(const json::value& list) {
    std::vector<std::string> ids;
    for (const auto& item : list.as_array()) ids.emplace_back(item.at("id").as_string());
    return ids;
}

std::vector<unsigned char> base64_decode(const std::string& text) {
    std::vector<unsigned char> out(text.size());
    std::size_t length = 0;
    if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &length,
                          nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
        return {};
    }
    out.resize(length);
    return out;
}

}  // namespace

TEST_CASE(
    "three committee members label the strong initiative, the weak one fails with reasons, "
    "and the sealed ballot holds exactly the labelled ones",
    "[integration][staff]") {
    REQUIRE(sodium_init() >= 0);
    TestCampaign c({.window = kFuture}, {.redis = TestRedis::plain});
    const int port = c.port();
    for (const auto* name : {"alice", "bob", "carol"}) {
        c.add_staff("committee", name, std::string("password-of-") + name);
    }
    c.add_staff("mission", "mona", "password-of-mona");

    // The Mission ESS imports four initiatives.
    const auto mission = c.staff_login("mona", "password-of-mona");
    json::object batch{
        {"initiatives",
         json::array{initiative("fort", "62041", 9000), initiative("faible", "62193", 3000),
                     initiative("solide", "62160", 5000), initiative("moyen", "62498", 2000)}}};
    auto r = mission.send("POST", "/api/v1/admin/initiatives", batch);
    INFO(r.body);
    REQUIRE(r.status == 201);
    CHECK(json_of(r).at("imported") == 4);

    SECTION("import with bad rows writes nothing and names every problem") {
        json::object bad{{"initiatives", json::array{initiative("nouvelle", "62041", 1000),
                                                     initiative("Mauvaise", "75056", 0),
                                                     initiative("fort", "62041", 1000)}}};
        r = mission.send("POST", "/api/v1/admin/initiatives", bad);
        CHECK(r.status == 422);
        CHECK(error_code_of(r) == "invalid_initiatives");
        const auto rows = json_of(r).at("error").at("rows").as_array();
        REQUIRE(rows.size() == 1);  // row 2 duplicates an existing id, checked once rows are valid
        CHECK(rows[0].at("index") == 1);
        CHECK(rows[0].at("errors").as_array().size() == 3);

        json::object existing{{"initiatives", json::array{initiative("nouvelle", "62041", 1000),
                                                          initiative("fort", "62041", 1000)}}};
        r = mission.send("POST", "/api/v1/admin/initiatives", existing);
        CHECK(r.status == 422);
        const auto existing_rows = json_of(r).at("error").at("rows").as_array();
        REQUIRE(existing_rows.size() == 1);
        CHECK(existing_rows[0].at("id") == "fort");

        const auto list = json_of(mission.get("/api/v1/admin/initiatives"));
        CHECK(ids_of(list.at("initiatives")) ==
              std::vector<std::string>{"faible", "fort", "moyen", "solide"});
        CHECK(c.redis().cli("HEXISTS " + shell_word(keys::initiatives("t")) + " nouvelle") == "0");
    }

    SECTION("residents and the wrong role cannot reach staff routes") {
        CHECK(http_request(port, "GET", "/api/v1/admin/initiatives").status == 401);
        CHECK(http_request(port, "GET", "/api/v1/admin/questionnaire").status == 401);
        r = http_request(port, "POST", "/api/v1/admin/initiatives", json::serialize(batch));
        CHECK(r.status == 401);
        CHECK(error_code_of(r) == "not_authenticated");
        CHECK(http_request(port, "GET", "/api/v1/admin/me", "",
                           {{"Cookie", "budget_staff=" + std::string(64, 'a')}})
                  .status == 401);

        const auto alice = c.staff_login("alice", "password-of-alice");
        r = alice.send("POST", "/api/v1/admin/initiatives", initiative("autre", "62041", 1000));
        CHECK(r.status == 403);
        CHECK(error_code_of(r) == "forbidden");
        CHECK(mission.get("/api/v1/admin/questionnaire").status == 403);
        CHECK(mission.get("/api/v1/admin/initiatives/fort/radar").status == 403);

        const auto me = json_of(alice.get("/api/v1/admin/me"));
        CHECK(me.at("username") == "alice");
        CHECK(me.at("role") == "committee");
    }

    SECTION("a staff write without the CSRF token, or from a foreign origin, is refused") {
        const auto alice = c.staff_login("alice", "password-of-alice");
        const auto questionnaire = json_of(alice.get("/api/v1/admin/questionnaire"));
        const auto body = json::serialize(answers_all(questionnaire, 4));
        r = http_request(port, "PUT", "/api/v1/admin/initiatives/fort/evaluation", body,
                         {{"Cookie", alice.cookie}});
        CHECK(r.status == 403);
        CHECK(error_code_of(r) == "csrf_failed");
        r = http_request(port, "PUT", "/api/v1/admin/initiatives/fort/evaluation", body,
                         {{"Cookie", alice.cookie}, {"X-CSRF-Token", std::string(64, '0')}});
        CHECK(r.status == 403);
        r = alice.send("PUT", "/api/v1/admin/initiatives/fort/evaluation",
                       answers_all(questionnaire, 4), {{"Origin", "https://evil.example"}});
        CHECK(r.status == 403);
        CHECK(error_code_of(r) == "origin_refused");
        r = c.staff_login_request("alice", "password-of-alice",
                                  {{"Origin", "https://evil.example"}});
        CHECK(r.status == 403);
        // Nothing of the refused writes was stored.
        CHECK(json_of(alice.get("/api/v1/admin/initiatives/fort/evaluation"))
                  .at("answers")
                  .is_null());
        // The same-origin write goes through.
        r = alice.send("PUT", "/api/v1/admin/initiatives/fort/evaluation",
                       answers_all(questionnaire, 4),
                       {{"Origin", "http://127.0.0.1:" + std::to_string(port)}});
        CHECK(r.status == 200);

        r = alice.send("POST", "/api/v1/admin/logout", json::object{});
        CHECK(r.status == 204);
        CHECK(alice.get("/api/v1/admin/me").status == 401);
    }

    SECTION("the labelling, then the seal at the opening of the vote") {
        const std::vector<StaffSession> committee{c.staff_login("alice", "password-of-alice"),
                                                  c.staff_login("bob", "password-of-bob"),
                                                  c.staff_login("carol", "password-of-carol")};
        const auto questionnaire = json_of(committee[0].get("/api/v1/admin/questionnaire"));
        REQUIRE(questionnaire.at("markers").as_array().size() == 8);

        // Invalid answers are refused with every problem in French.
        auto incomplete = answers_all(questionnaire, 4);
        auto& answers = incomplete["answers"].as_object();
        answers.erase(answers.begin());
        answers[answers.begin()->key()] = 7;
        r = committee[0].send("PUT", "/api/v1/admin/initiatives/fort/evaluation", incomplete);
        CHECK(r.status == 422);
        CHECK(error_code_of(r) == "invalid_answers");
        CHECK(json_of(r).at("error").at("problems").as_array().size() == 2);

        const std::map<std::string, int> level{
            {"fort", 4}, {"faible", 1}, {"solide", 3}, {"moyen", 2}};
        for (const auto& member : committee) {
            for (const auto& [id, value] : level) {
                r = member.send("PUT", "/api/v1/admin/initiatives/" + id + "/evaluation",
                                answers_all(questionnaire, value));
                INFO(id << " " << r.body);
                REQUIRE(r.status == 200);
            }
        }
        CHECK(committee[1]
                  .send("PUT", "/api/v1/admin/initiatives/inconnue/evaluation",
                        answers_all(questionnaire, 2))
                  .status == 404);

        // The list says, for the member who asks, whether they have evaluated each initiative
        // (`own_evaluation`, as docs/api.md names it).
        const auto listed = json_of(committee[0].get("/api/v1/admin/initiatives"));
        for (const auto& item : listed.at("initiatives").as_array()) {
            CHECK(item.at("own_evaluation") == true);
        }
        CHECK(json_of(mission.get("/api/v1/admin/initiatives"))
                  .at("initiatives")
                  .at(0)
                  .at("own_evaluation") == false);

        auto radar = json_of(committee[0].get("/api/v1/admin/initiatives/fort/radar"));
        CHECK(radar.at("reviewers") == 3);
        CHECK(radar.at("gate").at("passes") == true);
        CHECK(radar.at("gate").at("reasons").as_array().empty());
        CHECK(radar.at("aggregate").at("gouvernance") == 100);
        CHECK(radar.at("own").at("gouvernance") == 100);
        // The others' range per marker (both other members answered 4) and the gate's minimum.
        CHECK(radar.at("others") == 2);
        CHECK(radar.at("spread").at("gouvernance").at("min") == 100);
        CHECK(radar.at("spread").at("gouvernance").at("max") == 100);
        CHECK(radar.at("thresholds").at("gouvernance") ==
              questionnaire.at("gate").at("min_marker_score"));
        CHECK(radar.at("thresholds").as_object().size() == 8);
        const auto category = std::string(radar.at("proposed_category").at("id").as_string());

        auto weak = json_of(committee[0].get("/api/v1/admin/initiatives/faible/radar"));
        CHECK(weak.at("gate").at("passes") == false);
        CHECK_FALSE(weak.at("gate").at("reasons").as_array().empty());

        const auto svg = committee[1].get("/api/v1/admin/initiatives/fort/radar.svg");
        CHECK(svg.status == 200);
        CHECK(svg.headers.at("content-type").rfind("image/svg+xml", 0) == 0);
        CHECK(svg.body.find("Votre évaluation") != std::string::npos);
        // The committee's view: the others' band under the median, the gate's outline, and the
        // member's own outline drawn last, over the median it equals here.
        const auto band = svg.body.find("<path class=\"spread\"");
        const auto median = svg.body.find("<polygon class=\"aggregate\"");
        const auto gate = svg.body.find("<polygon class=\"threshold\"");
        const auto own = svg.body.find("<polygon class=\"own\"");
        REQUIRE(own != std::string::npos);
        CHECK(band < median);
        CHECK(median < gate);
        CHECK(gate < own);
        CHECK_THAT(svg.body, Catch::Contains("Seuil du comité\u00a0: 40\u00a0sur 100 pour chaque "
                                             "marqueur."));
        // The public radar of the same initiative, once labelled, has none of it (below).

        // Decisions.
        const auto decide = [&](const std::string& id, json::object body) {
            return committee[0].send("POST", "/api/v1/admin/initiatives/" + id + "/decision",
                                     std::move(body));
        };
        r = decide("fort", {{"decision", "label"}, {"category", category}});
        CHECK(r.status == 200);
        r = decide("solide", {{"decision", "refuse"}});
        CHECK(r.status == 422);
        CHECK(error_code_of(r) == "justification_required");
        r = decide("solide", {{"decision", "refuse"},
                              {"justification", "Projet déjà financé par ailleurs."}});
        CHECK(r.status == 200);
        r = decide("faible", {{"decision", "label"}, {"category", category}});
        CHECK(r.status == 422);
        CHECK(error_code_of(r) == "justification_required");
        r = decide("faible", {{"decision", "refuse"}});
        CHECK(r.status == 200);
        r = decide("moyen", {{"decision", "label"}, {"category", "nope"}});
        CHECK(r.status == 422);
        CHECK(error_code_of(r) == "invalid_category");
        r = decide("moyen", {{"decision", "label"},
                             {"category", "pratique_ess"},
                             {"justification", "Seul projet de son territoire, ancrage fort."}});
        CHECK(r.status == 200);
        // Evaluations freeze with the decision.
        r = committee[2].send("PUT", "/api/v1/admin/initiatives/fort/evaluation",
                              answers_all(questionnaire, 3));
        CHECK(r.status == 409);
        CHECK(error_code_of(r) == "already_decided");

        // The public sees the labelled initiatives only.
        auto list = json_of(http_request(port, "GET", "/api/v1/initiatives"));
        CHECK(ids_of(list) == std::vector<std::string>{"fort", "moyen"});
        CHECK(list.at(0).at("territory") == "arrageois");
        CHECK(list.at(0).at("category").as_string() == category);
        CHECK(list.at(0).at("radar").at("gouvernance") == 100);
        CHECK(list.at(1).at("amount_eur") == 2000);
        const auto public_radar = http_request(port, "GET", "/api/v1/initiatives/fort/radar.svg");
        CHECK(public_radar.status == 200);
        CHECK_THAT(public_radar.body, !Catch::Contains("class=\"own\""));
        CHECK_THAT(public_radar.body, !Catch::Contains("class=\"threshold\""));
        CHECK_THAT(public_radar.body, !Catch::Contains("class=\"spread\""));
        CHECK(http_request(port, "GET", "/api/v1/initiatives/moyen/radar.svg").status == 200);
        CHECK(http_request(port, "GET", "/api/v1/initiatives/faible/radar.svg").status == 404);
        CHECK(http_request(port, "GET", "/api/v1/initiatives/solide/radar.svg").status == 404);
        r = http_request(port, "GET", "/api/v1/ballot-definition");
        CHECK(r.status == 404);
        CHECK(error_code_of(r) == "not_sealed");

        // Every decision is in the audit log, with its justification, and no secret is.
        const auto audit = mission.get("/api/v1/admin/audit?limit=500");
        REQUIRE(audit.status == 200);
        std::multiset<std::string> actions;
        bool justified = false;
        const auto entries = json_of(audit);
        for (const auto& e : entries.at("entries").as_array()) {
            actions.emplace(e.at("action").as_string());
            if (e.at("action") == "decision" && e.at("target") == "moyen") {
                justified =
                    e.at("justification") == "Seul projet de son territoire, ancrage fort." &&
                    e.at("details").at("against_gate") == true;
            }
        }
        CHECK(actions.count("decision") == 4);
        CHECK(actions.count("evaluation") == 12);
        CHECK(actions.count("import") == 1);
        CHECK(actions.count("login") == 4);
        CHECK(justified);
        CHECK(audit.body.find("password-of") == std::string::npos);
        CHECK(audit.body.find(committee[0].csrf) == std::string::npos);
        CHECK(audit.body.find(committee[0].cookie.substr(13)) == std::string::npos);

        // Second run on the same Redis and keys: the vote has opened, the ballot gets sealed.
        CHECK(c.budgetd().terminate() == 0);
        c.restart(kOpen);
        const int port2 = c.port();
        r = http_request(port2, "GET", "/api/v1/ballot-definition");
        REQUIRE(r.status == 200);
        const auto definition = json_of(r);
        const auto document = std::string(definition.at("document").as_string());
        CHECK(budget::server::crypto::sha256_hex(document) == definition.at("digest").as_string());
        const auto signature = base64_decode(std::string(definition.at("signature").as_string()));
        const auto public_key = base64_decode(std::string(definition.at("public_key").as_string()));
        REQUIRE(signature.size() == crypto_sign_BYTES);
        REQUIRE(public_key.size() == crypto_sign_PUBLICKEYBYTES);
        CHECK(crypto_sign_verify_detached(signature.data(),
                                          reinterpret_cast<const unsigned char*>(document.data()),
                                          document.size(), public_key.data()) == 0);
        const auto [code, shown] =
            run_command(BUDGETCTL_PATH " --config " + c.config_path() + " keys show");
        CHECK(shown.find(std::string(definition.at("public_key").as_string())) !=
              std::string::npos);
        const auto doc = json::parse(document);
        CHECK(ids_of(doc.at("initiatives")) == std::vector<std::string>{"fort", "moyen"});
        CHECK(doc.at("campaign") == "t");
        CHECK(doc.at("initiatives").at(0).at("amount_eur") == 4500);  // capped by pratique_ess
        CHECK(c.budgetd().log().find("\"event\":\"ballot_sealed\"") != std::string::npos);
        CHECK(c.budgetd().log().find(std::string(definition.at("digest").as_string())) !=
              std::string::npos);

        // The public list is now exactly the sealed ballot.
        list = json_of(http_request(port2, "GET", "/api/v1/initiatives"));
        CHECK(ids_of(list) == std::vector<std::string>{"fort", "moyen"});
        CHECK(list.at(0).at("amount_eur") == 4500);

        // Nothing of the labelling changes any more.
        const auto alice = c.staff_login("alice", "password-of-alice");
        r = alice.send("POST", "/api/v1/admin/initiatives/fort/decision",
                       json::object{{"decision", "refuse"}, {"justification", "Trop tard."}});
        CHECK(r.status == 409);
        CHECK(error_code_of(r) == "ballot_sealed");
        r = alice.send("PUT", "/api/v1/admin/initiatives/solide/evaluation",
                       answers_all(questionnaire, 4));
        CHECK(r.status == 409);
        const auto mona = c.staff_login("mona", "password-of-mona");
        r = mona.send("POST", "/api/v1/admin/initiatives", initiative("tardive", "62041", 1000));
        CHECK(r.status == 409);
        // The sealed ballot stays as it was, and its seal is in the audit log.
        CHECK(json_of(http_request(port2, "GET", "/api/v1/ballot-definition")).at("digest") ==
              definition.at("digest"));
        CHECK(mona.get("/api/v1/admin/audit").body.find("\"action\":\"seal\"") !=
              std::string::npos);
    }
}

TEST_CASE("repeated failed logins are rate limited per username with Retry-After",
          "[integration][staff]") {
    TestCampaign c({.window = kFuture}, {.redis = TestRedis::plain});
    c.add_staff("committee", "bob", "password-of-bob");

    // Unknown user and wrong password get the same answer.
    auto unknown = c.staff_login_request("nobody", "password-of-bob");
    CHECK(unknown.status == 401);
    CHECK(error_code_of(unknown) == "invalid_credentials");

    // Successful logins do not use up the allowance.
    for (int i = 0; i < 6; ++i)
        CHECK(c.staff_login_request("bob", "password-of-bob").status == 200);
    for (int i = 0; i < 5; ++i) {
        const auto r = c.staff_login_request("bob", "wrong-password-xx");
        CHECK(r.status == 401);
        CHECK(r.body == unknown.body);
    }
    const auto limited = c.staff_login_request("bob", "password-of-bob");
    CHECK(limited.status == 429);
    CHECK(error_code_of(limited) == "rate_limited");
    REQUIRE(limited.headers.count("retry-after") == 1);
    CHECK(std::stoi(limited.headers.at("retry-after")) > 0);
    // Another account is not locked by it.
    CHECK(c.staff_login_request("nobody", "password-of-bob").status == 401);
    // Each login gets a new session id, with the cookie attributes of the contract.
    c.add_staff("mission", "mona", "password-of-mona");
    const auto first = c.staff_login_request("mona", "password-of-mona");
    const auto second = c.staff_login_request("mona", "password-of-mona");
    REQUIRE(first.status == 200);
    REQUIRE(second.status == 200);
    CHECK(first.headers.at("set-cookie") != second.headers.at("set-cookie"));
    const auto& cookie = first.headers.at("set-cookie");
    CHECK(cookie.rfind("budget_staff=", 0) == 0);
    CHECK(cookie.find("HttpOnly") != std::string::npos);
    CHECK(cookie.find("SameSite=Strict") != std::string::npos);
    CHECK(cookie.find("Path=/") != std::string::npos);
}

TEST_CASE("two servers sealing at the same moment store one ballot", "[integration][staff]") {
    TestCampaign c({.window = kFuture}, {.redis = TestRedis::plain});
    {
        c.add_staff("mission", "mona", "password-of-mona");
        c.add_staff("committee", "alice", "password-of-alice");
        const auto mona = c.staff_login("mona", "password-of-mona");
        REQUIRE(mona.send("POST", "/api/v1/admin/initiatives", initiative("unique", "62041", 1000))
                    .status == 201);
        const auto alice = c.staff_login("alice", "password-of-alice");
        const auto r = alice.send("POST", "/api/v1/admin/initiatives/unique/decision",
                                  json::object{{"decision", "label"},
                                               {"category", "cooperation"},
                                               {"justification", "Pas encore évaluée, urgence."}});
        REQUIRE(r.status == 200);
    }
    c.stop();
    // Two processes with their own data directories (and so their own keys) on one Redis.
    c.config().window = kOpen;
    const auto a = c.start_peer("a");
    const auto b = c.start_peer("b");
    HttpResult from_a, from_b;
    std::thread ta([&] { from_a = http_request(a->port(), "GET", "/api/v1/ballot-definition"); });
    std::thread tb([&] { from_b = http_request(b->port(), "GET", "/api/v1/ballot-definition"); });
    ta.join();
    tb.join();
    REQUIRE(from_a.status == 200);
    REQUIRE(from_b.status == 200);
    CHECK(json_of(from_a).at("digest") == json_of(from_b).at("digest"));
    CHECK(json_of(from_a).at("signature") == json_of(from_b).at("signature"));
    const auto sealed_in = [](const Budgetd& d) {
        return d.log().find("\"event\":\"ballot_sealed\"") != std::string::npos ? 1 : 0;
    };
    CHECK(sealed_in(*a) + sealed_in(*b) == 1);
    const auto doc = json::parse(json_of(from_a).at("document").as_string());
    CHECK(ids_of(doc.at("initiatives")) == std::vector<std::string>{"unique"});
    CHECK(doc.at("initiatives").at(0).at("radar").as_object().empty());
}
