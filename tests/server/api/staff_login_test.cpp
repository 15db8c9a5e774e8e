// Integration: the staff login's throttle against a real redis-server and budgetd, behind a
// proxy on loopback so that each request comes from the network it names (issue 14): guesses
// slow a username down from the guesser's network only.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "tests/server/support/campaign_fixture.hpp"

using namespace budget::test;
namespace json = boost::json;

TEST_CASE("wrong passwords from one network slow that network down, not the staff member's",
          "[integration][staff]") {
    TestCampaign c({.server_lines = "trusted_proxies = [\"127.0.0.1\"]\n"},
                   {.redis = TestRedis::plain});
    c.add_staff("committee", "comite-b", "password-of-comite-b");
    auto login_from = [&](const std::string& address, const std::string& password) {
        return c.staff_login_request("comite-b", password, {{"X-Forwarded-For", address}});
    };
    // The attacker's five guesses from one /24, then the next one must wait.
    for (const auto* address : {"203.0.113.7", "203.0.113.8", "203.0.113.9", "203.0.113.7",
                                "203.0.113.8"})
        REQUIRE(login_from(address, "wrong-password-xx").status == 401);
    const auto throttled = login_from("203.0.113.9", "password-of-comite-b");
    CHECK(throttled.status == 429);
    REQUIRE(throttled.headers.count("retry-after") == 1);
    const auto wait = std::stoi(throttled.headers.at("retry-after"));
    CHECK(wait > 0);
    CHECK(wait <= 60);
    // The staff member, from their own network, logs in with the right password.
    CHECK(login_from("198.51.100.20", "password-of-comite-b").status == 200);
    // The attacker is still throttled.
    CHECK(login_from("203.0.113.10", "wrong-password-xx").status == 429);
}
