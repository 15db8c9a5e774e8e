// The facts of the notice pages (issue 18): GET /api/v1/privacy's body from the configuration
// and the publication date, as the contract gives it (docs/api.md).
#include "server/api/privacy_api.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

namespace json = boost::json;
using budget::server::api::privacy_json;

namespace {

// A deployment's configuration, with figures other than the defaults so that each is seen to
// come from its setting.
budget::config::Config deployment() {
    budget::config::Config config;
    config.campaign.id = "2027";
    config.campaign.vote_opens = "2027-09-01T00:00:00+02:00";
    config.campaign.vote_closes = "2027-09-30T23:59:59+02:00";
    config.otp.code_ttl = std::chrono::seconds{900};
    config.otp.session_ttl = std::chrono::seconds{2400};
    config.holders.session_ttl = std::chrono::seconds{7200};
    auto& p = config.privacy;
    p.controller = "Département du Pas-de-Calais";
    p.controller_address = "Hôtel du Département, rue Ferdinand Buisson, 62018 Arras Cedex 9";
    p.contact_email = "donnees-personnelles@example.fr";
    p.dpo_contact = "dpd@example.fr";
    p.publication_director = "Le président du Conseil départemental";
    p.host = "Hébergeur, 1 rue de l’Exemple, 59000 Lille";
    p.mail_relay = "Relais de messagerie du Département";
    p.purge_after_days = 45;
    p.holders_retention_days = 400;
    return config;
}

}  // namespace

TEST_CASE("The notice's facts are the [privacy] texts of the configuration, word for word",
          "[privacy]") {
    const auto body = privacy_json(deployment(), "");
    CHECK(body.at("controller") == "Département du Pas-de-Calais");
    CHECK(body.at("controller_address") ==
          "Hôtel du Département, rue Ferdinand Buisson, 62018 Arras Cedex 9");
    CHECK(body.at("contact_email") == "donnees-personnelles@example.fr");
    CHECK(body.at("dpo_contact") == "dpd@example.fr");
    CHECK(body.at("publication_director") == "Le président du Conseil départemental");
    CHECK(body.at("host") == "Hébergeur, 1 rue de l’Exemple, 59000 Lille");
    CHECK(body.at("mail_relay") == "Relais de messagerie du Département");
    CHECK(body.size() == 9);  // the seven texts, retention and campaign: nothing else
}

TEST_CASE("Unset texts come as empty strings, for the page to say they are to be completed",
          "[privacy]") {
    const auto body = privacy_json(budget::config::Config{}, "");
    for (const char* key : {"controller", "controller_address", "contact_email", "dpo_contact",
                            "publication_director", "host", "mail_relay"}) {
        INFO(key);
        CHECK(body.at(key) == "");
    }
}

TEST_CASE("Retention figures come from the settings, and the code's constants where none exists",
          "[privacy]") {
    const auto retention = privacy_json(deployment(), "").at("retention").as_object();
    CHECK(retention.at("code_s") == 900);
    CHECK(retention.at("voter_session_s") == 2400);
    CHECK(retention.at("holder_session_s") == 7200);
    CHECK(retention.at("purge_after_days") == 45);
    CHECK(retention.at("holders_retention_days") == 400);
    // Fixed in the code (privacy_api.cpp says where each is set).
    CHECK(retention.at("rate_counters_s") == 3600);
    CHECK(retention.at("staff_session_s") == 28'800);
    CHECK(retention.at("ballot_retry_s") == 86'400);
    CHECK(retention.size() == 8);
}

TEST_CASE("The defaults give the contract's example figures", "[privacy]") {
    const auto retention = privacy_json(budget::config::Config{}, "").at("retention").as_object();
    CHECK(retention.at("code_s") == 600);
    CHECK(retention.at("voter_session_s") == 1800);
    CHECK(retention.at("holder_session_s") == 43'200);
    CHECK(retention.at("purge_after_days") == 30);
    CHECK(retention.at("holders_retention_days") == 365);
}

TEST_CASE("Before publication the campaign has its dates but no publication and no purge date",
          "[privacy]") {
    const auto campaign = privacy_json(deployment(), "").at("campaign").as_object();
    CHECK(campaign.at("id") == "2027");
    CHECK(campaign.at("vote_opens") == "2027-09-01T00:00:00+02:00");
    CHECK(campaign.at("vote_closes") == "2027-09-30T23:59:59+02:00");
    CHECK(campaign.at("published_at").is_null());
    CHECK(campaign.at("purge_due").is_null());
}

TEST_CASE("After publication the purge is due purge_after_days later, in Paris time", "[privacy]") {
    const auto campaign =
        privacy_json(deployment(), "2027-10-05T18:30:00+02:00").at("campaign").as_object();
    CHECK(campaign.at("published_at") == "2027-10-05T18:30:00+02:00");
    // 45 days on: across the end of summer time, the same instant reads an hour earlier.
    CHECK(campaign.at("purge_due") == "2027-11-19T17:30:00+01:00");
}

TEST_CASE("A publication date that cannot be read is shown as recorded, with no purge date",
          "[privacy]") {
    const auto campaign = privacy_json(deployment(), "hier").at("campaign").as_object();
    CHECK(campaign.at("published_at") == "hier");
    CHECK(campaign.at("purge_due").is_null());
}
