#include "config/config.hpp"

#include <catch2/catch.hpp>
#include <filesystem>

using budget::config::ConfigError;
using budget::config::parse_config;

namespace {

budget::config::Config parse(const std::string& text) {
    return parse_config(text, "test.toml", "/srv/budget");
}

std::string error_of(const std::string& text) {
    try {
        parse(text);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("the attachments directory is read relative to the configuration file", "[config]") {
    const auto c = parse("[storage]\nattachments_dir = \"shared/pdf\"\n");
    CHECK(c.storage.attachments_dir == "/srv/budget/shared/pdf");
    CHECK(c.storage.data_dir == "/srv/budget/var");
}

TEST_CASE("an empty configuration takes every default", "[config]") {
    const auto c = parse("");
    CHECK(c.server.listen.host == "127.0.0.1");
    CHECK(c.server.listen.port == 8080);
    CHECK(c.server.threads == 2);
    CHECK(c.campaign.max_choices == 3);
    CHECK(c.campaign.min_age == 11);
    CHECK(c.campaign.envelope_eur == 572000);
    CHECK(c.storage.data_dir == "/srv/budget/var");
    CHECK(c.storage.attachments_dir == "/srv/budget/var/attachments");
    // The shipped questionnaire and territories are found whatever the working directory.
    CHECK(std::filesystem::exists(c.labelling.questionnaire));
    CHECK(std::filesystem::exists(c.labelling.territories));
    CHECK(std::filesystem::exists(c.labelling.communes));
}

TEST_CASE("the keys of the API contract are read", "[config]") {
    const auto c = parse(R"(
[server]
listen = "0.0.0.0:9090"
threads = 4
[redis]
url = "redis://127.0.0.1:6380"
[storage]
data_dir = "/var/lib/budget"
[campaign]
id = "2027"
title = "Budget citoyen 2027"
vote_opens = "2027-09-01T00:00:00+02:00"
vote_closes = "2027-09-30T23:59:59+02:00"
max_choices = 2
min_age = 16
envelope_eur = 600000
[otp]
delivery = "outbox"
outbox = "out.jsonl"
)");
    CHECK(c.server.listen.host == "0.0.0.0");
    CHECK(c.server.listen.port == 9090);
    CHECK(c.server.threads == 4);
    CHECK(c.redis.url == "redis://127.0.0.1:6380");
    CHECK(c.storage.data_dir == "/var/lib/budget");
    // The holders' attachments default to a folder of the data directory.
    CHECK(c.storage.attachments_dir == "/var/lib/budget/attachments");
    CHECK(c.campaign.id == "2027");
    CHECK(c.campaign.vote_opens_unix == 1819749600);   // 2027-08-31T22:00:00Z
    CHECK(c.campaign.vote_closes_unix == 1822341599);  // 2027-09-30T21:59:59Z
    CHECK(c.campaign.max_choices == 2);
    CHECK(c.campaign.min_age == 16);
    CHECK(c.otp.outbox == "/srv/budget/out.jsonl");
}

TEST_CASE("trusted proxies are kept in one spelling per address", "[config]") {
    const auto c = parse("[server]\ntrusted_proxies = [\"127.0.0.1\", \"::0001\"]\n");
    CHECK(c.server.trusted_proxies == std::vector<std::string>{"127.0.0.1", "::1"});
}

TEST_CASE("the public origin is an origin, without path, and kept without its final slash",
          "[config]") {
    CHECK(parse("").server.public_origin.empty());  // derived by the server from listen
    CHECK(parse("[server]\npublic_origin = \"https://budget.pasdecalais.fr/\"\n")
              .server.public_origin == "https://budget.pasdecalais.fr");
    CHECK(parse("[server]\npublic_origin = \"http://127.0.0.1:8080\"\n").server.public_origin ==
          "http://127.0.0.1:8080");
    CHECK(parse("[server]\npublic_origin = \"https://[::1]:8443\"\n").server.public_origin ==
          "https://[::1]:8443");
    for (const char* bad :
         {"budget.pasdecalais.fr", "ftp://budget.pasdecalais.fr", "https://", "https:///",
          "https://budget.pasdecalais.fr/vote", "https://evil.example@budget.pasdecalais.fr",
          "https://budget.pasdecalais.fr:99999",
          "https://budget.pasdecalais.fr:", "https://budget.pasdecalais.fr?x=1",
          "https://budget.pasdecalais.fr#x", "https://[evil]:8443", "https://a b"}) {
        INFO(bad);
        CHECK(error_of(std::string("[server]\npublic_origin = \"") + bad + "\"\n")
                  .find("[server] public_origin: \"") != std::string::npos);
    }
}

TEST_CASE("connection caps are read, 0 meaning derived from the descriptor limit", "[config]") {
    const auto defaults = parse("");
    CHECK(defaults.server.max_connections == 0);
    CHECK(defaults.server.max_connections_per_address == 256);
    const auto c = parse("[server]\nmax_connections = 5000\nmax_connections_per_address = 64\n");
    CHECK(c.server.max_connections == 5000);
    CHECK(c.server.max_connections_per_address == 64);
    CHECK(error_of("[server]\nmax_connections_per_address = 0\n")
              .find("[server] max_connections_per_address: must be between 1") !=
          std::string::npos);
}

TEST_CASE("a TOML offset date-time is accepted for the vote window", "[config]") {
    const auto c = parse("[campaign]\nvote_opens = 2026-09-01T00:00:00+02:00\n");
    CHECK(c.campaign.vote_opens_unix == 1788213600);
}

TEST_CASE("unknown keys and sections are refused with the key named", "[config]") {
    CHECK(error_of("[server]\nlisten = \"127.0.0.1:1\"\nthread = 2\n") ==
          "test.toml: [server] thread: unknown key");
    CHECK(error_of("[serveur]\nthreads = 2\n") == "test.toml: [serveur]: unknown section");
    CHECK(error_of("debug = true\n") == "test.toml: [debug]: unknown key");
}

TEST_CASE("bad values are refused with a one-line reason", "[config]") {
    SECTION("wrong type") {
        CHECK(error_of("[server]\nthreads = \"two\"\n") ==
              "test.toml: [server] threads: must be an integer");
    }
    SECTION("out of range") {
        CHECK(error_of("[server]\nthreads = 0\n") ==
              "test.toml: [server] threads: must be between 1 and 256, got 0");
        CHECK(error_of("[campaign]\nmax_choices = 0\n").find("max_choices") != std::string::npos);
        CHECK(error_of("[campaign]\nenvelope_eur = -5\n").find("envelope_eur") !=
              std::string::npos);
    }
    SECTION("listen address without port") {
        CHECK(error_of("[server]\nlisten = \"localhost\"\n") ==
              "test.toml: [server] listen: \"localhost\" is not host:port");
    }
    SECTION("a vote window without offset") {
        CHECK(error_of("[campaign]\nvote_opens = \"2026-09-01T00:00:00\"\n").find("RFC 3339") !=
              std::string::npos);
    }
    SECTION("a vote that closes before it opens") {
        CHECK(error_of("[campaign]\nvote_opens = \"2026-10-01T00:00:00+02:00\"\n"
                       "vote_closes = \"2026-09-01T00:00:00+02:00\"\n") ==
              "test.toml: [campaign] vote_closes: must be after vote_opens");
    }
    SECTION("an impossible date") {
        CHECK(!error_of("[campaign]\nvote_opens = \"2026-02-30T00:00:00+01:00\"\n").empty());
    }
    SECTION("unknown delivery") {
        CHECK(error_of("[otp]\ndelivery = \"pigeon\"\n") ==
              "test.toml: [otp] delivery: must be \"outbox\" or \"smtp\", got \"pigeon\"");
    }
    SECTION("outbox delivery in production") {
        CHECK(error_of("[server]\nproduction = true\n").find("refused") != std::string::npos);
    }
    SECTION("a redis url of another scheme") {
        CHECK(error_of("[redis]\nurl = \"http://127.0.0.1:6379\"\n").find("[redis] url") !=
              std::string::npos);
    }
    SECTION("a cluster seed given by host name") {
        CHECK(error_of("[redis]\ncluster = [\"redis-1.internal:7000\"]\n") ==
              "test.toml: [redis] cluster: \"redis-1.internal:7000\": give an IP address, not a "
              "host name");
        CHECK(error_of("[redis]\ncluster = [\"10.0.0.11:7000\", \"[fd00::2]:7001\"]\n").empty());
    }
    SECTION("a trusted proxy given by host name") {
        CHECK(error_of("[server]\ntrusted_proxies = [\"proxy.local\"]\n") ==
              "test.toml: [server] trusted_proxies: \"proxy.local\" is not an IP address");
    }
    SECTION("an SMTP relay given by host name") {
        CHECK(error_of("[otp]\nsmtp_host = \"mail.example.org\"\n").find("[otp] smtp_host") !=
              std::string::npos);
        CHECK(error_of("[otp]\nsmtp_host = \"10.0.0.25\"\n").empty());
    }
    SECTION("a missing questionnaire file") {
        CHECK(error_of("[labelling]\nquestionnaire = \"/nonexistent/q.toml\"\n") ==
              "test.toml: [labelling] questionnaire: file not found: /nonexistent/q.toml");
    }
    SECTION("a campaign id with odd characters") {
        CHECK(error_of("[campaign]\nid = \"a b\"\n").find("[campaign] id") != std::string::npos);
    }
}

TEST_CASE("a campaign without call dates has no call", "[config][call]") {
    const auto c = parse("");
    CHECK(c.campaign.call_opens.empty());
    CHECK(c.campaign.call_closes.empty());
    CHECK(c.campaign.call_opens_unix == 0);
    CHECK(c.campaign.call_closes_unix == 0);
    CHECK_FALSE(budget::config::call_open_at(c.campaign, 0));
    CHECK_FALSE(budget::config::call_open_at(c.campaign, 1780000000));
}

TEST_CASE("the call for initiatives is read and open from its opening until its close",
          "[config][call]") {
    const auto c = parse(R"([campaign]
vote_opens = "2026-09-01T00:00:00+02:00"
call_opens = "2026-03-02T09:00:00+01:00"
call_closes = 2026-05-31T23:59:59+02:00
)");
    CHECK(c.campaign.call_opens == "2026-03-02T09:00:00+01:00");
    CHECK(c.campaign.call_opens_unix == 1772438400);   // 2026-03-02T08:00:00Z
    CHECK(c.campaign.call_closes_unix == 1780264799);  // 2026-05-31T21:59:59Z
    using budget::config::call_open_at;
    CHECK_FALSE(call_open_at(c.campaign, 1772438399));
    CHECK(call_open_at(c.campaign, 1772438400));
    CHECK(call_open_at(c.campaign, 1780264798));
    CHECK_FALSE(call_open_at(c.campaign, 1780264799));
    CHECK_FALSE(call_open_at(c.campaign, c.campaign.vote_opens_unix));
}

TEST_CASE("a call may close when the vote opens, not after", "[config][call]") {
    const std::string head =
        "[campaign]\nvote_opens = \"2026-09-01T00:00:00+02:00\"\n"
        "call_opens = \"2026-03-02T09:00:00+01:00\"\n";
    CHECK(error_of(head + "call_closes = \"2026-09-01T00:00:00+02:00\"\n").empty());
    CHECK(error_of(head + "call_closes = \"2026-09-01T00:00:01+02:00\"\n") ==
          "test.toml: [campaign] call_closes: must not be after vote_opens");
}

TEST_CASE("a call is refused when half given, inverted or not a date", "[config][call]") {
    CHECK(error_of("[campaign]\ncall_opens = \"2026-03-02T09:00:00+01:00\"\n") ==
          "test.toml: [campaign] call_closes: must be set when call_opens is");
    CHECK(error_of("[campaign]\ncall_closes = \"2026-05-31T23:59:59+02:00\"\n") ==
          "test.toml: [campaign] call_opens: must be set when call_closes is");
    CHECK(error_of("[campaign]\ncall_opens = \"2026-05-31T23:59:59+02:00\"\n"
                   "call_closes = \"2026-03-02T09:00:00+01:00\"\n") ==
          "test.toml: [campaign] call_closes: must be after call_opens");
    CHECK(error_of("[campaign]\ncall_opens = \"2026-03-02T09:00:00+01:00\"\n"
                   "call_closes = \"2026-03-02T09:00:00+01:00\"\n") ==
          "test.toml: [campaign] call_closes: must be after call_opens");
    CHECK(error_of("[campaign]\ncall_opens = \"2026-03-02\"\n"
                   "call_closes = \"2026-05-31T23:59:59+02:00\"\n")
              .rfind("test.toml: [campaign] call_opens: \"2026-03-02\" is not an RFC 3339", 0) ==
          0);
    CHECK(error_of("[campaign]\ncall_opens = \"2026-03-02T09:00:00+01:00\"\n"
                   "call_closes = 12\n") ==
          "test.toml: [campaign] call_closes: must be an RFC 3339 date-time with offset");
}

TEST_CASE("the privacy facts default to empty and the purge to 30 days after publication",
          "[config][privacy]") {
    const auto c = parse("");
    CHECK(c.privacy.controller.empty());
    CHECK(c.privacy.purge_after_days == 30);
    CHECK(c.privacy.holders_retention_days == 365);
    CHECK(c.privacy.automatic_purge);
}

TEST_CASE("the [privacy] keys are read", "[config][privacy]") {
    const auto c = parse(
        "[privacy]\ncontroller = \"Département du Pas-de-Calais\"\n"
        "controller_address = \"Arras\"\ncontact_email = \"rgpd@example.org\"\n"
        "dpo_contact = \"dpd@example.org\"\npublication_director = \"Le président\"\n"
        "host = \"Hébergeur\"\nmail_relay = \"Relais\"\npurge_after_days = 0\n"
        "holders_retention_days = 90\nautomatic_purge = false\n");
    CHECK(c.privacy.controller == "Département du Pas-de-Calais");
    CHECK(c.privacy.controller_address == "Arras");
    CHECK(c.privacy.contact_email == "rgpd@example.org");
    CHECK(c.privacy.dpo_contact == "dpd@example.org");
    CHECK(c.privacy.publication_director == "Le président");
    CHECK(c.privacy.host == "Hébergeur");
    CHECK(c.privacy.mail_relay == "Relais");
    CHECK(c.privacy.purge_after_days == 0);
    CHECK(c.privacy.holders_retention_days == 90);
    CHECK_FALSE(c.privacy.automatic_purge);
}

TEST_CASE("bad [privacy] values are refused with the key named", "[config][privacy]") {
    CHECK(error_of("[privacy]\ncontroler = \"x\"\n") ==
          "test.toml: [privacy] controler: unknown key");
    CHECK(error_of("[privacy]\ncontroller = \"a\\nb\"\n") ==
          "test.toml: [privacy] controller: must be one line");
    CHECK(error_of("[privacy]\npurge_after_days = -1\n") ==
          "test.toml: [privacy] purge_after_days: must be between 0 and 3650, got -1");
    CHECK(error_of("[privacy]\npurge_after_days = 60\nholders_retention_days = 30\n") ==
          "test.toml: [privacy] holders_retention_days: must be at least purge_after_days (60): "
          "the holders' stage of the purge comes after the residents' one");
    CHECK(error_of("[privacy]\nautomatic_purge = 1\n") ==
          "test.toml: [privacy] automatic_purge: must be true or false");
}

TEST_CASE("production requires the controller, its contact and the DPO", "[config][privacy]") {
    const std::string smtp =
        "[server]\nproduction = true\n[otp]\ndelivery = \"smtp\"\n"
        "smtp_from = \"budget@example.org\"\n";
    CHECK(error_of(smtp).rfind("test.toml: [privacy] controller: is required with [server] "
                               "production = true",
                               0) == 0);
    CHECK(error_of(smtp + "[privacy]\ncontroller = \"D\"\n")
              .rfind("test.toml: [privacy] contact_email: is required", 0) == 0);
    CHECK(error_of(smtp + "[privacy]\ncontroller = \"D\"\ncontact_email = \"c@d.fr\"\n")
              .rfind("test.toml: [privacy] dpo_contact: is required", 0) == 0);
    const auto c = parse(smtp +
                         "[privacy]\ncontroller = \"D\"\ncontact_email = \"c@d.fr\"\n"
                         "dpo_contact = \"dpd@d.fr\"\n");
    CHECK(c.privacy.dpo_contact == "dpd@d.fr");
}

TEST_CASE("FranceConnect is asked only for the claims the engine reads", "[config][privacy]") {
    // Data minimisation: the identité pivot's gender, birthplace and birthcountry are never read.
    const auto c = parse("");
    CHECK(c.franceconnect.scopes == "openid given_name family_name preferred_username birthdate");
}

TEST_CASE("holders' accounts take their defaults", "[config][holders]") {
    const auto c = parse("");
    CHECK(c.holders.session_ttl == std::chrono::seconds(43200));
    CHECK(c.holders.max_codes_per_hour == 3);
    CHECK(c.holders.max_requests_per_ip_hour == 30);
}

TEST_CASE("the [holders] keys are read", "[config][holders]") {
    const auto c = parse(
        "[holders]\nsession_ttl_s = 7200\nmax_codes_per_hour = 5\nmax_requests_per_ip_hour = 90\n");
    CHECK(c.holders.session_ttl == std::chrono::seconds(7200));
    CHECK(c.holders.max_codes_per_hour == 5);
    CHECK(c.holders.max_requests_per_ip_hour == 90);
    // The residents' limits are their own.
    CHECK(c.otp.max_codes_per_hour == 3);
    CHECK(c.otp.max_requests_per_ip_hour == 60);
}

TEST_CASE("bad [holders] values and unknown keys are refused", "[config][holders]") {
    CHECK(error_of("[holders]\nsession_ttl = 60\n") ==
          "test.toml: [holders] session_ttl: unknown key");
    CHECK(error_of("[holders]\nsession_ttl_s = 10\n") ==
          "test.toml: [holders] session_ttl_s: must be between 60 and 604800, got 10");
    CHECK(error_of("[holders]\nmax_codes_per_hour = 0\n") ==
          "test.toml: [holders] max_codes_per_hour: must be between 1 and 100, got 0");
    CHECK(error_of("[holders]\nmax_requests_per_ip_hour = 0\n") ==
          "test.toml: [holders] max_requests_per_ip_hour: must be between 1 and 1000000, got 0");
    CHECK(error_of("[holders]\nmax_codes_per_hour = \"3\"\n") ==
          "test.toml: [holders] max_codes_per_hour: must be an integer");
    CHECK(error_of("holders = 3\n") == "test.toml: [holders]: must be a table");
}

TEST_CASE("the shipped example configuration is valid and has a call before the vote", "[config]") {
    const auto c =
        budget::config::load_config(std::string(BUDGET_SOURCE_DIR) + "/config/budget.example.toml");
    CHECK(c.campaign.call_opens_unix > 0);
    CHECK(c.campaign.call_closes_unix <= c.campaign.vote_opens_unix);
    CHECK(c.holders.session_ttl == std::chrono::seconds(43200));
}

TEST_CASE("a TOML syntax error is reported on one line", "[config]") {
    const auto e = error_of("[server\nthreads = 2\n");
    REQUIRE(!e.empty());
    CHECK(e.find('\n') == std::string::npos);
    CHECK(e.rfind("test.toml: ", 0) == 0);
}

#include "config/communes.hpp"

TEST_CASE("every commune of the official list belongs to one of the eight territories",
          "[config]") {
    const auto c = parse("");
    const auto d =
        budget::config::CommuneDirectory::load(c.labelling.communes, c.labelling.territories);
    CHECK(d.communes().size() == 887);
    CHECK(d.territories().size() == 8);
    const auto* arras = d.find("62041");
    REQUIRE(arras != nullptr);
    CHECK(arras->name == "Arras");
    CHECK(arras->territory == "arrageois");
    REQUIRE(d.find("62193") != nullptr);  // Calais
    CHECK(d.find("62193")->territory == "calaisis");
    CHECK(d.find("59350") == nullptr);  // Lille is in the Nord
    std::map<std::string, int> per_territory;
    for (const auto& [code, commune] : d.communes()) ++per_territory[commune.territory];
    CHECK(per_territory.size() == 8);
}
