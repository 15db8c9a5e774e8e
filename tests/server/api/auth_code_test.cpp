// Integration: the one-time code checked on its own step (POST /api/v1/auth/code) before the
// identity form, against a real redis-server and budgetd: a wrong code uses a try exactly as
// the verification does, a right one stays usable for it, and "already voted" is said as soon
// as it is known.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "tests/server/support/campaign_fixture.hpp"

using namespace budget::test;
namespace json = boost::json;

namespace {

const CampaignLaunch kVoting{.ballot = {{"a"}, {"b"}}};

HttpResult check_code(TestCampaign& f, const std::string& email, const std::string& code) {
    return http_request(f.port(), "POST", "/api/v1/auth/code",
                        json::serialize(json::object{{"email", email}, {"code", code}}));
}

json::object error_of(const HttpResult& r) { return json::parse(r.body).at("error").as_object(); }

std::string wrong_for(const std::string& good) { return good == "000000" ? "111111" : "000000"; }

}  // namespace

TEST_CASE("a wrong code on its own step says how many tries are left, and each one counts",
          "[integration][voting]") {
    TestCampaign f({}, kVoting);
    REQUIRE(f.challenge("essais@example.org").status == 202);
    const auto good = f.last_code("essais@example.org");
    const auto wrong = wrong_for(good);

    for (int left = 4; left >= 2; --left) {
        const auto r = check_code(f, "essais@example.org", wrong);
        REQUIRE(r.status == 401);
        const auto e = error_of(r);
        CHECK(e.at("code").as_string() == "invalid_code");
        CHECK(e.at("tries_left").as_int64() == left);
        CHECK(std::string(e.at("message").as_string())
                  .find("Il vous reste " + std::to_string(left) + " essais.") != std::string::npos);
    }
    SECTION("the verification counts on from the same tries") {
        const auto r = f.verify({"essais@example.org", "Ada", "Lovelace"}, wrong);
        REQUIRE(r.status == 401);
        CHECK(error_of(r).at("tries_left").as_int64() == 1);
        CHECK(std::string(error_of(r).at("message").as_string()).find("Il vous reste 1 essai") !=
              std::string::npos);
    }
    SECTION("the last try is worded in the singular, then the code is dead, even the right one") {
        const auto last = check_code(f, "essais@example.org", wrong);
        REQUIRE(last.status == 401);
        CHECK(error_of(last).at("tries_left").as_int64() == 1);
        const auto dead = check_code(f, "essais@example.org", wrong);
        REQUIRE(dead.status == 401);
        CHECK(error_of(dead).at("tries_left").as_int64() == 0);
        CHECK(std::string(error_of(dead).at("message").as_string())
                  .find("demandez un nouveau code") != std::string::npos);
        CHECK(check_code(f, "essais@example.org", good).status == 401);
        CHECK(f.verify({"essais@example.org", "Ada", "Lovelace"}, good).status == 401);
    }
    SECTION("a new code starts with every try again") {
        REQUIRE(f.challenge("essais@example.org").status == 202);
        const auto fresh = f.last_code("essais@example.org");
        const auto r = check_code(f, "essais@example.org", wrong_for(fresh));
        REQUIRE(r.status == 401);
        CHECK(error_of(r).at("tries_left").as_int64() == 4);
    }
}

TEST_CASE("a right code is not consumed by its step, and cannot be replayed after the verification",
          "[integration][voting]") {
    TestCampaign f({}, kVoting);
    REQUIRE(f.challenge("juste@example.org").status == 202);
    const auto good = f.last_code("juste@example.org");

    const auto first = check_code(f, "juste@example.org", good);
    REQUIRE(first.status == 200);
    const auto body = json::parse(first.body).as_object();
    CHECK(body.at("valid").as_bool());
    CHECK(body.at("tries_left").as_int64() == 5);
    // A new address has verified no one yet: whether they voted is for the verification to say.
    CHECK(body.at("already_voted").is_null());
    CHECK(check_code(f, "juste@example.org", good).status == 200);

    const auto verified = f.verify({"juste@example.org", "Ada", "Lovelace"}, good);
    REQUIRE(verified.status == 200);
    CHECK(json::parse(verified.body).at("already_voted").as_bool() == false);

    // A used code is answered as a wrong one (issue 14: no oracle of whether a code is pending).
    const auto replay = check_code(f, "juste@example.org", good);
    CHECK(replay.status == 401);
    CHECK(error_of(replay).at("code").as_string() == "invalid_code");
    CHECK(error_of(replay).at("tries_left").as_int64() == 4);
    CHECK(f.verify({"juste@example.org", "Ada", "Lovelace"}, good).status == 401);
}

TEST_CASE("\"already voted\" is said at the code step for a known address, and at verification",
          "[integration][voting]") {
    TestCampaign f({}, kVoting);
    const Resident ada{"vote@example.org", "Ada", "Lovelace"};
    f.vote(ada, {"a"});

    SECTION("the same address: as soon as the code is right") {
        REQUIRE(f.challenge(ada.email).status == 202);
        const auto r = check_code(f, ada.email, f.last_code(ada.email));
        REQUIRE(r.status == 200);
        CHECK(json::parse(r.body).at("already_voted").as_bool() == true);
    }
    SECTION("another address: in the verification's answer, before any ballot") {
        const Resident again{"autre@example.org", "ada", "LOVELACE"};
        REQUIRE(f.challenge(again.email).status == 202);
        const auto code = f.last_code(again.email);
        const auto probed = check_code(f, again.email, code);
        REQUIRE(probed.status == 200);
        CHECK(json::parse(probed.body).at("already_voted").is_null());
        const auto r = f.verify(again, code);
        REQUIRE(r.status == 200);
        CHECK(json::parse(r.body).at("already_voted").as_bool() == true);
    }
}

TEST_CASE("the code step refuses malformed requests without using a try", "[integration][voting]") {
    TestCampaign f({}, kVoting);
    REQUIRE(f.challenge("forme@example.org").status == 202);
    const auto good = f.last_code("forme@example.org");
    CHECK(check_code(f, "forme@example.org", "12345").status == 401);
    CHECK(check_code(f, "forme@example.org", "abcdef").status == 401);
    CHECK(check_code(f, "pas une adresse", good).status == 422);
    CHECK(http_request(f.port(), "POST", "/api/v1/auth/code", R"({"email":"forme@example.org"})")
              .status == 400);
    const auto r = check_code(f, "forme@example.org", good);
    REQUIRE(r.status == 200);
    CHECK(json::parse(r.body).at("tries_left").as_int64() == 5);
}

TEST_CASE("an unknown INSEE code at verification gets a French 403 naming it",
          "[integration][voting]") {
    TestCampaign f({}, kVoting);
    REQUIRE(f.challenge("commune@example.org").status == 202);
    const auto code = f.last_code("commune@example.org");
    const auto r =
        f.verify({"commune@example.org", "Ada", "Lovelace", "1980-05-17", "62999"}, code);
    REQUIRE(r.status == 403);
    const auto e = error_of(r);
    CHECK(e.at("code").as_string() == "not_resident");
    CHECK(std::string(e.at("message").as_string()).find("62999") != std::string::npos);
    // Nothing was used: the code still verifies the right commune.
    CHECK(
        f.verify({"commune@example.org", "Ada", "Lovelace", "1980-05-17", "62041"}, code).status ==
        200);
}

TEST_CASE("a wrong code gets the same answer whether a code is pending or not",
          "[integration][voting]") {
    TestCampaign f({}, kVoting);
    REQUIRE(f.challenge("pending@example.org").status == 202);
    const auto wrong = wrong_for(f.last_code("pending@example.org"));
    // The same code tried against an address with a code pending and one without, to the end.
    for (int round = 0; round < 5; ++round) {
        const auto pending = check_code(f, "pending@example.org", wrong);
        const auto none = check_code(f, "nobody@example.org", wrong);
        INFO("round " << round);
        CHECK(pending.status == 401);
        CHECK(none.status == pending.status);
        CHECK(error_of(none) == error_of(pending));
    }
    // Out of tries, both tell the resident to ask for a new code.
    const auto last = error_of(check_code(f, "nobody@example.org", wrong));
    CHECK(last.at("tries_left").as_int64() == 0);
    CHECK(std::string(last.at("message").as_string()).find("demandez un nouveau code") !=
          std::string::npos);
    // A used code is no oracle either: the next try reads as a wrong code's first.
    REQUIRE(f.challenge("used@example.org").status == 202);
    const auto code = f.last_code("used@example.org");
    REQUIRE(f.verify({"used@example.org", "Ursule", "Usage"}, code).status == 200);
    const auto after = check_code(f, "used@example.org", code);
    const auto fresh = check_code(f, "fresh@example.org", code);
    CHECK(after.status == 401);
    CHECK(error_of(after) == error_of(fresh));
    CHECK(error_of(after).at("tries_left").as_int64() == 4);
}

TEST_CASE("codes asked for somebody else's address from one network never lock them out",
          "[integration][voting]") {
    // Behind a proxy on loopback, so that each request can come from its own network.
    TestCampaign f({.server_lines = "trusted_proxies = [\"127.0.0.1\"]\n"}, kVoting);
    auto challenge_from = [&](const std::string& address) {
        return http_request(f.port(), "POST", "/api/v1/auth/challenge",
                            R"({"email":"victime@example.org"})", {{"X-Forwarded-For", address}});
    };
    // The attacker's three codes for the victim's address, from addresses of one /24.
    for (const auto* address : {"203.0.113.7", "203.0.113.8", "203.0.113.9"})
        REQUIRE(challenge_from(address).status == 202);
    const auto throttled = challenge_from("203.0.113.10");
    CHECK(throttled.status == 429);
    CHECK(throttled.headers.count("retry-after") == 1);
    // The victim, from their own network, still gets a code, and it works.
    const auto before = f.last_code("victime@example.org");
    REQUIRE(challenge_from("198.51.100.20").status == 202);
    const auto code = f.last_code("victime@example.org");
    CHECK(code != before);
    CHECK(check_code(f, "victime@example.org", code).status == 200);
}
