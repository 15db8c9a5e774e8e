// Integration: a real budgetd answers GET /api/v1/privacy with its configuration's [privacy]
// facts, publicly and cacheable a minute, and with the publication date recorded in Redis once
// there is one (issue 18).
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <string>

#include "server/storage/keys.hpp"
#include "tests/server/support/campaign_fixture.hpp"

using namespace budget::test;
namespace json = boost::json;
namespace keys = budget::server::storage::keys;

TEST_CASE("budgetd serves the notice's facts from its [privacy] section, publicly",
          "[integration][privacy]") {
    // The fixture appends otp_lines last, so a [privacy] table can follow the [otp] lines.
    TestCampaign c({.otp_lines = "code_ttl_s = 900\n"
                                 "[privacy]\n"
                                 "controller = \"Département de test\"\n"
                                 "controller_address = \"1 rue du Test, 62000 Arras\"\n"
                                 "contact_email = \"donnees@test.example\"\n"
                                 "dpo_contact = \"dpd@test.example\"\n"
                                 "publication_director = \"La présidente\"\n"
                                 "host = \"Hébergeur de test\"\n"
                                 "purge_after_days = 10\n"});
    const int port = c.port();

    // No cookie, no token: the notice is for everyone.
    auto r = http_request(port, "GET", "/api/v1/privacy");
    REQUIRE(r.status == 200);
    CHECK(r.headers["cache-control"] == "public, max-age=60");
    auto body = json::parse(r.body).as_object();
    CHECK(body.at("controller") == "Département de test");
    CHECK(body.at("controller_address") == "1 rue du Test, 62000 Arras");
    CHECK(body.at("contact_email") == "donnees@test.example");
    CHECK(body.at("dpo_contact") == "dpd@test.example");
    CHECK(body.at("publication_director") == "La présidente");
    CHECK(body.at("host") == "Hébergeur de test");
    CHECK(body.at("mail_relay") == "");  // not set: the page says it is to be completed
    const auto& retention = body.at("retention").as_object();
    CHECK(retention.at("code_s") == 900);
    CHECK(retention.at("voter_session_s") == 1800);
    CHECK(retention.at("purge_after_days") == 10);
    const auto& campaign = body.at("campaign").as_object();
    CHECK(campaign.at("id") == "t");
    CHECK(campaign.at("vote_opens").as_string() == c.config().window->opens);
    CHECK(campaign.at("published_at").is_null());
    CHECK(campaign.at("purge_due").is_null());

    // Once the results are published (the date as the publication records it), the purge date
    // follows, without a restart.
    c.redis().cli("SET '" + keys::published("t") + "' 2026-10-02T10:00:00+02:00");
    r = http_request(port, "GET", "/api/v1/privacy");
    REQUIRE(r.status == 200);
    body = json::parse(r.body).as_object();
    CHECK(body.at("campaign").at("published_at") == "2026-10-02T10:00:00+02:00");
    CHECK(body.at("campaign").at("purge_due") == "2026-10-12T10:00:00+02:00");
}
