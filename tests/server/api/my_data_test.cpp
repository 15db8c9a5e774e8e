// Integration (issue 18): the resident's report, POST /api/v1/my-data, against a real
// redis-server and budgetd. With a code from the residents' own challenge, an address learns
// whether a ballot was cast for the identity it verified, on which day and by which method, and
// what the engine keeps about it; never the choices, the ballot id or the receipt. The code is
// checked and consumed as the verification does, under the same limits.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <ctime>
#include <set>

#include "config/paris_time.hpp"
#include "server/storage/keys.hpp"
#include "tests/server/support/campaign_fixture.hpp"

using namespace budget::test;
namespace json = boost::json;
namespace keys = budget::server::storage::keys;

namespace {

// Initiative ids no report could hold by chance.
const CampaignLaunch kVoting{.ballot = {{"velo-cargo-42"}, {"jardin-partage-17"}}};

EngineConfig engine(EngineConfig config = {}) {
    config.command_timeout_ms = 1000;
    return config;
}

HttpResult my_data(TestCampaign& f, const std::string& email, const std::string& code,
                   const std::map<std::string, std::string>& headers = {}) {
    return http_request(f.port(), "POST", "/api/v1/my-data",
                        json::serialize(json::object{{"email", email}, {"code", code}}), headers);
}

// A fresh code for the address (the residents' challenge), then the report.
HttpResult ask(TestCampaign& f, const std::string& email) {
    REQUIRE(f.challenge(email).status == 202);
    return my_data(f, email, f.last_code(email));
}

json::object error_of(const HttpResult& r) { return json::parse(r.body).at("error").as_object(); }

std::string wrong_for(const std::string& good) { return good == "000000" ? "111111" : "000000"; }

std::string paris_today() {
    return budget::config::format_paris_time(std::time(nullptr)).substr(0, 10);
}

// The names of an object's members, and of its "ballot" and first "held" item's.
std::set<std::string> shape_of(const json::object& body) {
    std::set<std::string> names;
    for (const auto& [k, v] : body) names.insert(std::string(k));
    for (const auto& [k, v] : body.at("ballot").as_object())
        names.insert("ballot." + std::string(k));
    for (const auto& item : body.at("held").as_array())
        for (const auto& [k, v] : item.as_object()) names.insert("held." + std::string(k));
    return names;
}

std::string voted_markers(TestCampaign& f) {
    return f.redis().cli("--scan --pattern '" + keys::voted_pattern("t", 0) + "'");
}

}  // namespace

TEST_CASE("a resident who voted by e-mail learns the day and the method, and nothing of the ballot",
          "[integration][my_data]") {
    TestCampaign f(engine(), kVoting);
    const Resident ada{"ada@example.org", "Ada", "Lovelace"};
    const auto token = f.verify_resident(ada);
    REQUIRE(!token.empty());
    const auto cast = f.cast(token, R"({"choices":["velo-cargo-42"]})");
    REQUIRE(cast.status == 201);
    const auto receipt = json::parse(cast.body).at("receipt").as_object();
    const std::string ballot_id(receipt.at("ballot_id").as_string());
    const std::string ballot_hash(receipt.at("ballot_hash").as_string());

    SECTION("the voted marker holds the method and the Paris day, nothing else") {
        const auto marker = voted_markers(f);
        REQUIRE(!marker.empty());
        CHECK(f.redis().cli("GET '" + marker + "'") == "email " + paris_today());
    }

    REQUIRE(f.challenge(ada.email).status == 202);
    const auto code = f.last_code(ada.email);
    const auto r = my_data(f, ada.email, code);
    INFO(r.body);
    REQUIRE(r.status == 200);
    CHECK(r.headers.at("cache-control") == "no-store");
    const auto body = json::parse(r.body).as_object();
    CHECK(body.at("email_bound").as_bool());
    const auto& ballot = body.at("ballot").as_object();
    CHECK(ballot.at("cast").as_bool());
    CHECK(ballot.at("day").as_string() == paris_today());
    CHECK(ballot.at("method").as_string() == "email");
    CHECK_FALSE(ballot.at("other_declaration").as_bool());
    CHECK(body.at("held").as_array().size() >= 3);
    // No choice, no ballot id, no receipt, no address, no identity key.
    for (const auto& absent :
         {std::string("velo-cargo-42"), std::string("jardin-partage-17"), ballot_id, ballot_hash,
          std::string("receipt"), std::string("ballot_id"), std::string("choices"),
          std::string("ada@example.org"), std::string("Lovelace")}) {
        INFO(absent);
        CHECK(r.body.find(absent) == std::string::npos);
    }
    const auto marker = voted_markers(f);
    const auto primary = marker.substr(marker.rfind(':') + 1);
    CHECK(r.body.find(primary) == std::string::npos);

    SECTION("the code is consumed: the same one asks nothing again") {
        const auto replay = my_data(f, ada.email, code);
        CHECK(replay.status == 401);
        CHECK(error_of(replay).at("code").as_string() == "invalid_code");
        CHECK(f.verify(ada, code).status == 401);
    }
}

TEST_CASE("a resident who only verified is bound to an identity with no ballot",
          "[integration][my_data]") {
    TestCampaign f(engine(), kVoting);
    const Resident bea{"bea@example.org", "Béatrice", "Martin"};
    REQUIRE(!f.verify_resident(bea).empty());
    const auto r = ask(f, bea.email);
    INFO(r.body);
    REQUIRE(r.status == 200);
    const auto body = json::parse(r.body).as_object();
    CHECK(body.at("email_bound").as_bool());
    CHECK_FALSE(body.at("ballot").at("cast").as_bool());
    CHECK(body.at("ballot").at("day").is_null());
    CHECK(body.at("ballot").at("method").is_null());
    CHECK(r.body.find("Le lien entre votre adresse électronique") != std::string::npos);
    // Asking binds nothing and keeps the resident able to vote.
    CHECK(voted_markers(f).empty());
}

TEST_CASE("an unknown address gets nothing bound, in the same shape as a bound one",
          "[integration][my_data]") {
    TestCampaign f(engine(), kVoting);
    f.vote({"vote@example.org", "Ada", "Lovelace"}, {"jardin-partage-17"});
    const auto known = ask(f, "vote@example.org");
    const auto unknown = ask(f, "personne@example.org");
    INFO(known.body << "\n" << unknown.body);
    REQUIRE(known.status == 200);
    REQUIRE(unknown.status == 200);
    const auto k = json::parse(known.body).as_object();
    const auto u = json::parse(unknown.body).as_object();
    CHECK_FALSE(u.at("email_bound").as_bool());
    CHECK_FALSE(u.at("ballot").at("cast").as_bool());
    CHECK_FALSE(u.at("ballot").at("other_declaration").as_bool());
    CHECK(shape_of(u) == shape_of(k));
    // What it holds: the code counter its challenge made, and this client's counter.
    CHECK(unknown.body.find("1 code,") != std::string::npos);
    CHECK(unknown.body.find("identité") == std::string::npos);
    // Asking left no binding behind: the address verifies another person afterwards.
    CHECK(!f.verify_resident({"personne@example.org", "Paul", "Martin"}).empty());
}

TEST_CASE("a ballot cast under another declaration of the same person is said without details",
          "[integration][my_data]") {
    TestCampaign f(engine(), kVoting);
    // "Je an" first: its claims hold "Jean"'s primary ("je an" joined).
    f.vote({"split@example.org", "Je an", "D'Artagnan", "2001-03-09"}, {"velo-cargo-42"});
    const Resident jean{"jean@exemple.fr", "Jean", "D'Artagnan", "2001-03-09"};
    HttpResult failure;
    REQUIRE(!f.verify_resident(jean, &failure).empty());
    const auto r = ask(f, jean.email);
    INFO(r.body);
    REQUIRE(r.status == 200);
    const auto ballot = json::parse(r.body).at("ballot").as_object();
    CHECK(ballot.at("cast").as_bool());
    CHECK(ballot.at("other_declaration").as_bool());
    CHECK(ballot.at("day").is_null());
    CHECK(ballot.at("method").is_null());
}

TEST_CASE("a marker written before the method was recorded is a vote without details",
          "[integration][my_data]") {
    TestCampaign f(engine(), kVoting);
    f.vote({"ancien@example.org", "Ada", "Lovelace"}, {"velo-cargo-42"});
    const auto marker = voted_markers(f);
    REQUIRE(!marker.empty());
    f.redis().cli("SET '" + marker + "' 1");
    const auto r = ask(f, "ancien@example.org");
    INFO(r.body);
    REQUIRE(r.status == 200);
    const auto ballot = json::parse(r.body).at("ballot").as_object();
    CHECK(ballot.at("cast").as_bool());
    CHECK(ballot.at("day").is_null());
    CHECK(ballot.at("method").is_null());
    CHECK_FALSE(ballot.at("other_declaration").as_bool());
    // And the old marker still refuses a second ballot.
    const auto again = f.verify_resident({"ancien@example.org", "Ada", "Lovelace"});
    CHECK(f.cast(again, R"({"choices":["jardin-partage-17"]})").status == 409);
}

TEST_CASE("a wrong code is refused as on the auth routes, its tries shared with them",
          "[integration][my_data]") {
    TestCampaign f(engine(), kVoting);
    REQUIRE(f.challenge("essai@example.org").status == 202);
    const auto good = f.last_code("essai@example.org");
    const auto wrong = my_data(f, "essai@example.org", wrong_for(good));
    REQUIRE(wrong.status == 401);
    CHECK(error_of(wrong).at("code").as_string() == "invalid_code");
    CHECK(error_of(wrong).at("tries_left").as_int64() == 4);
    // The code step counts on from the same tries.
    const auto probed = http_request(
        f.port(), "POST", "/api/v1/auth/code",
        json::serialize(json::object{{"email", "essai@example.org"}, {"code", wrong_for(good)}}));
    REQUIRE(probed.status == 401);
    CHECK(error_of(probed).at("tries_left").as_int64() == 3);
    SECTION("out of tries, even the right code is dead") {
        for (int i = 0; i < 3; ++i) my_data(f, "essai@example.org", wrong_for(good));
        const auto dead = my_data(f, "essai@example.org", good);
        REQUIRE(dead.status == 401);
        CHECK(error_of(dead).at("tries_left").as_int64() == 0);
    }
    SECTION("the right code still answers") {
        CHECK(my_data(f, "essai@example.org", good).status == 200);
    }
    SECTION("a code given where none was sent is a wrong one") {
        const auto none = my_data(f, "jamais@example.org", "123456");
        CHECK(none.status == 401);
        CHECK(error_of(none).at("code").as_string() == "invalid_code");
    }
}

TEST_CASE("the report counts against the client's hourly allowance", "[integration][my_data]") {
    auto config = engine();
    config.otp_lines = "max_requests_per_ip_hour = 3\n";
    TestCampaign f(config, kVoting);
    REQUIRE(f.challenge("limite@example.org").status == 202);  // 1
    const auto good = f.last_code("limite@example.org");
    CHECK(my_data(f, "limite@example.org", wrong_for(good)).status == 401);  // 2
    CHECK(my_data(f, "limite@example.org", wrong_for(good)).status == 401);  // 3
    const auto limited = my_data(f, "limite@example.org", good);
    REQUIRE(limited.status == 429);
    CHECK(error_of(limited).at("code").as_string() == "rate_limited");
    CHECK(limited.headers.count("retry-after") == 1);
}

TEST_CASE("malformed requests get their clear errors and use no try", "[integration][my_data]") {
    TestCampaign f(engine(), kVoting);
    REQUIRE(f.challenge("forme@example.org").status == 202);
    const auto good = f.last_code("forme@example.org");
    auto post = [&](const std::string& body,
                    const std::map<std::string, std::string>& headers = {}) {
        return http_request(f.port(), "POST", "/api/v1/my-data", body, headers);
    };
    auto code_of = [](const HttpResult& r) {
        return std::string(json::parse(r.body).at("error").at("code").as_string());
    };
    const auto not_json = post("{\"email\":");
    CHECK(not_json.status == 400);
    CHECK(code_of(not_json) == "malformed_json");
    CHECK(post("[1,2]").status == 400);
    const auto number = post(R"({"email":42,"code":"123456"})");
    CHECK(number.status == 400);
    CHECK(code_of(number) == "invalid_field");
    CHECK(error_of(number).at("message").as_string() ==
          "Le champ « email » doit être une chaîne de caractères.");
    const auto missing = post(R"({"email":"forme@example.org"})");
    CHECK(missing.status == 400);
    CHECK(error_of(missing).at("message").as_string() == "Le champ « code » est obligatoire.");
    CHECK(post(R"({"email":"pas une adresse","code":"123456"})").status == 422);
    const auto short_code = my_data(f, "forme@example.org", "12345");
    CHECK(short_code.status == 401);
    CHECK(error_of(short_code).at("message").as_string() == "Le code doit comporter 6 chiffres.");
    const auto huge = post(json::serialize(
        json::object{{"email", "forme@example.org"}, {"code", std::string(100'000, '1')}}));
    CHECK(huge.status == 413);
    CHECK(code_of(huge) == "too_large");
    const auto form = post("email=forme%40example.org&code=" + good,
                           {{"Content-Type", "application/x-www-form-urlencoded"}});
    CHECK(form.status == 415);
    const auto foreign =
        my_data(f, "forme@example.org", good, {{"Origin", "https://evil.example"}});
    CHECK(foreign.status == 403);
    // None of them used a try: the right code still answers.
    CHECK(my_data(f, "forme@example.org", good).status == 200);
}

TEST_CASE("after the vote a resident still gets a code for the report, and only for it",
          "[integration][my_data]") {
    TestCampaign f(engine(), kVoting);
    const Resident bea{"bea@example.org", "Béatrice", "Martin"};
    REQUIRE(!f.verify_resident(bea).empty());
    f.restart(VoteWindow::relative(-7200, -3600));
    const auto challenge = [&](const json::object& body) {
        return http_request(f.port(), "POST", "/api/v1/auth/challenge", json::serialize(body));
    };
    // A code to vote: the vote is over.
    const auto vote = challenge({{"email", bea.email}});
    CHECK(vote.status == 403);
    CHECK(error_of(vote).at("code") == "vote_not_open");
    CHECK(challenge({{"email", bea.email}, {"purpose", "vote"}}).status == 403);
    // An unknown purpose is named, whatever the window.
    const auto odd = challenge({{"email", bea.email}, {"purpose", "ballot"}});
    CHECK(odd.status == 400);
    CHECK(error_of(odd).at("message") ==
          "Le champ «\u00a0purpose\u00a0» ne peut valoir que «\u00a0vote\u00a0» ou "
          "«\u00a0my-data\u00a0».");
    CHECK(challenge({{"email", bea.email}, {"purpose", 3}}).status == 400);
    // A code for the report: sent, and it opens the report (not a session).
    REQUIRE(challenge({{"email", bea.email}, {"purpose", "my-data"}}).status == 202);
    const auto code = f.last_code(bea.email);
    const auto r = my_data(f, bea.email, code);
    INFO(r.body);
    REQUIRE(r.status == 200);
    CHECK(json::parse(r.body).at("email_bound").as_bool());
    // The same code cannot open a voting step: the code step is closed with the vote.
    const auto step =
        http_request(f.port(), "POST", "/api/v1/auth/code",
                     json::serialize(json::object{{"email", bea.email}, {"code", code}}));
    CHECK(step.status == 403);
}
