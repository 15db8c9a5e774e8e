// Integration (issue 15): one real resident, one ballot, on the e-mail path, against a real
// redis-server and budgetd. The five-ballot attack of the issue replayed; one mailbox however
// it is spelled; real names accepted end to end; the same person through two mailboxes; two
// ballots of one person at the same instant; [identity]'s age bands.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <vector>

#include "config/paris_time.hpp"
#include "server/storage/keys.hpp"
#include "tests/server/support/campaign_fixture.hpp"

using namespace budget::test;
namespace json = boost::json;
namespace keys = budget::server::storage::keys;

namespace {

const CampaignLaunch kVoting{.ballot = {{"a"}, {"b"}, {"c"}}};

// Every variant reaches the verification: the mailbox's hourly allowance of codes (3 by
// default, counted per canonical mailbox) would otherwise refuse the fourth and fifth codes
// first (the last test says so).
EngineConfig engine() {
    EngineConfig c;
    c.command_timeout_ms = 1000;
    c.otp_lines = "max_codes_per_hour = 10\n";
    return c;
}

std::string quoted(const std::string& key) { return "'" + key + "'"; }
std::string log_length(TestCampaign& f) {
    return f.redis().cli("LLEN " + quoted(keys::ballot_log("t", 0)));
}

std::string code_of(const HttpResult& r) {
    const auto body = json::parse(r.body);
    if (!body.is_object() || !body.as_object().contains("error")) return "";
    return std::string(body.at("error").at("code").as_string());
}

std::string message_of(const HttpResult& r) {
    return std::string(json::parse(r.body).at("error").at("message").as_string());
}

/// What a resident ends with: the verification's answer, then (when it opened a session) the
/// ballot's.
struct Attempt {
    HttpResult verified;
    HttpResult cast;
};

HttpResult verify_with_code(TestCampaign& f, const Resident& who, const std::string& code,
                            const std::string& usage_name = "") {
    json::object body{{"email", who.email},           {"code", code},
                      {"first_name", who.first_name}, {"last_name", who.last_name},
                      {"birth_date", who.birth_date}, {"commune", who.commune}};
    if (!usage_name.empty()) body["usage_name"] = usage_name;
    return http_request(f.port(), "POST", "/api/v1/auth/verify", json::serialize(body));
}

/// Challenge (REQUIRE 202), the code from the outbox, the verification.
HttpResult verify(TestCampaign& f, const Resident& who, const std::string& usage_name = "") {
    const auto challenged = f.challenge(who.email);
    INFO(challenged.body);
    REQUIRE(challenged.status == 202);
    // The outbox names the address as the code was sent: trimmed, in lower case.
    std::string sent_to = who.email;
    for (auto& c : sent_to) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto code = f.last_code(sent_to);
    REQUIRE(!code.empty());
    return verify_with_code(f, who, code, usage_name);
}

std::string token_of(const HttpResult& verified) {
    return std::string(json::parse(verified.body).at("token").as_string());
}

Attempt try_to_vote(TestCampaign& f, const Resident& who, const std::string& choice) {
    Attempt a;
    a.verified = verify(f, who);
    if (a.verified.status == 200)
        a.cast = f.cast(token_of(a.verified), R"({"choices":[")" + choice + R"("]})");
    return a;
}

/// A birth date that makes a resident `age` today in Paris (1 January of the year).
std::string born_aged(int age) {
    const auto today =
        budget::config::format_paris_time(std::chrono::duration_cast<std::chrono::seconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count());
    return std::to_string(std::stoi(today.substr(0, 4)) - age) + "-01-01";
}

}  // namespace

TEST_CASE("the five-ballot attack of issue 15 gets one receipt and four refusals",
          "[integration][voting][identity]") {
    TestCampaign f(engine(), kVoting);
    // The true identity: Jean D'Artagnan, born on 9 March 2001. Each address is one mailbox
    // (mallory@example.org) with a tag; each declares a slightly different identity.
    const Resident swapped{"mallory+0@example.org", "D'Artagnan", "Jean", "2001-03-09"};
    const Resident split{"mallory+1@example.org", "Je an", "D'Artagnan", "2001-03-09"};
    const Resident middle{"mallory+2@example.org", "Jean Charles", "D'Artagnan", "2001-03-09"};
    const Resident next_day{"mallory+3@example.org", "Jean", "D'Artagnan", "2001-03-10"};
    const Resident no_apostrophe{"mallory+4@example.org", "Jean", "DArtagnan", "2001-03-09"};

    const auto first = try_to_vote(f, swapped, "a");
    INFO(first.verified.body << first.cast.body);
    REQUIRE(first.verified.status == 200);
    CHECK(first.cast.status == 201);

    SECTION("each variant gets the refusal of the rule that catches it") {
        // "Je an": another first given name, so another identity for this mailbox: the mailbox
        // is bound to the first one.
        const auto a1 = try_to_vote(f, split, "b");
        CHECK(a1.verified.status == 409);
        CHECK(code_of(a1.verified) == "email_already_used");
        // A middle name added: the same person (birth name and first given name), who may open
        // a session again with their mailbox, and is told at once that they have voted; their
        // ballot is refused.
        const auto a2 = try_to_vote(f, middle, "b");
        CHECK(a2.verified.status == 200);
        CHECK(json::parse(a2.verified.body).at("already_voted").as_bool());
        CHECK(a2.cast.status == 409);
        CHECK(code_of(a2.cast) == "already_voted");
        // Born a day later: another person by the rules, so the mailbox refuses them.
        const auto a3 = try_to_vote(f, next_day, "b");
        CHECK(a3.verified.status == 409);
        CHECK(code_of(a3.verified) == "email_already_used");
        // "DArtagnan": the same name once apostrophes are removed: already voted.
        const auto a4 = try_to_vote(f, no_apostrophe, "b");
        CHECK(a4.verified.status == 200);
        CHECK(a4.cast.status == 409);
        CHECK(code_of(a4.cast) == "already_voted");

        CHECK(log_length(f) == "1");
        CHECK(f.redis().cli("HGET " + quoted(keys::ballot_stats("t", 0)) + " total") == "1");
    }
    SECTION(
        "through five unrelated mailboxes, the names are caught at the ballot; another "
        "birth date is another person, left to the duplicate audit") {
        auto elsewhere = [](Resident r, int n) {
            r.email = "personne" + std::to_string(n) + "@exemple" + std::to_string(n) + ".fr";
            return r;
        };
        for (const auto& [n, who] : {std::pair{1, split}, {2, middle}, {4, no_apostrophe}}) {
            INFO(who.first_name << " " << who.last_name);
            const auto a = try_to_vote(f, elsewhere(who, n), "b");
            REQUIRE(a.verified.status == 200);
            CHECK(json::parse(a.verified.body).at("already_voted").as_bool());
            CHECK(a.cast.status == 409);
            CHECK(code_of(a.cast) == "already_voted");
        }
        CHECK(log_length(f) == "1");
        const auto other_day = try_to_vote(f, elsewhere(next_day, 3), "b");
        CHECK(other_day.cast.status == 201);
        CHECK(log_length(f) == "2");
    }
}

TEST_CASE("the refusal of a mailbox bound to another identity is clear and French",
          "[integration][voting][identity]") {
    TestCampaign f(engine(), kVoting);
    REQUIRE(verify(f, {"lea@example.org", "Léa", "Martin"}).status == 200);
    const auto r = verify(f, {"Lea+bis@Example.org", "Paul", "Martin"});
    REQUIRE(r.status == 409);
    CHECK(code_of(r) == "email_already_used");
    const auto text = message_of(r);
    CHECK(text.find("déjà servi à vérifier l’identité d’une autre personne") != std::string::npos);
    CHECK(text.find('\'') == std::string::npos);
    CHECK(text.find("«\u00a0+\u00a0»") != std::string::npos);
}

TEST_CASE("a gmail address with dots and a tag is the same mailbox as without",
          "[integration][voting][identity]") {
    TestCampaign f(engine(), kVoting);
    const Resident jean{"jean.dupont+budget@gmail.com", "Jean", "Dupont"};
    const auto first = try_to_vote(f, jean, "a");
    REQUIRE(first.verified.status == 200);
    REQUIRE(first.cast.status == 201);

    SECTION("the code goes to the address as typed, and any spelling of the mailbox checks it") {
        REQUIRE(f.challenge("j.e.a.n.dupont@gmail.com").status == 202);
        const auto code = f.last_code("j.e.a.n.dupont@gmail.com");
        REQUIRE(!code.empty());
        CHECK(f.last_code("jeandupont@googlemail.com").empty());
        const auto r = verify_with_code(f, {"JeanDupont@GoogleMail.com", "Jean", "Dupont"}, code);
        REQUIRE(r.status == 200);
        CHECK(json::parse(r.body).at("already_voted").as_bool());
        CHECK(f.cast(token_of(r), R"({"choices":["b"]})").status == 409);
    }
    SECTION("another person cannot use it") {
        const auto r = verify(f, {"jeandupont+2@googlemail.com", "Paul", "Durand"});
        CHECK(r.status == 409);
        CHECK(code_of(r) == "email_already_used");
    }
    SECTION("another mailbox is another mailbox") {
        const auto r = verify(f, {"jean.dupont@example.org", "Marie", "Dupont"});
        CHECK(r.status == 200);
    }
    CHECK(log_length(f) == "1");
}

TEST_CASE(
    "real names with ł, ś, decomposed accents and a pasted zero-width space are accepted "
    "end to end",
    "[integration][voting][identity]") {
    TestCampaign f(engine(), kVoting);
    const Resident people[] = {
        {"lukasz@example.org", "Łukasz", "Wróblewski", "1975-02-11"},
        {"stanislawa@example.org", "Stanisława", "Kuśmierczyk", "1958-07-30"},
        // "Éloïse Lefèvre" typed in decomposed Unicode (e + U+0301...).
        {"eloise@example.org", "E\xCC\x81loi\xCC\x88se", "Lefe\xCC\x80vre", "1990-12-01"},
        // A zero-width space pasted inside the name.
        {"saida@example.org", "Saïda", "Ben\xE2\x80\x8B Saïd", "1983-04-22"},
        {"joao@example.org", "João", "Conceição Gonçalves", "1969-10-05"},
        {"soren@example.org", "Søren", "Strauß", "2004-06-17"},
        {"laetitia@example.org", "Lætitia", "Haÿ", "1999-01-09"},
        {"abdelkader@example.org", "Abd-el-Kader", "N’Diaye", "1971-03-03"},
    };
    for (const auto& who : people) {
        INFO(who.first_name << " " << who.last_name);
        const auto a = try_to_vote(f, who, "a");
        INFO(a.verified.body);
        CHECK(a.verified.status == 200);
        CHECK(a.cast.status == 201);
    }
    CHECK(log_length(f) == std::to_string(std::size(people)));

    SECTION(
        "the same people typed precomposed and without the invisible character are the "
        "same people") {
        const auto again =
            try_to_vote(f, {"eloise2@example.org", "Éloïse", "Lefèvre", "1990-12-01"}, "b");
        CHECK(again.cast.status == 409);
        const auto saida =
            try_to_vote(f, {"saida2@example.org", "Saida", "Ben Said", "1983-04-22"}, "b");
        CHECK(saida.cast.status == 409);
        CHECK(log_length(f) == std::to_string(std::size(people)));
    }
    SECTION("digits, symbols and emoji in a name are refused in French") {
        const auto r = verify(f, {"r2d2@example.org", "R2D2", "Droïde"});
        REQUIRE(r.status == 422);
        CHECK(code_of(r) == "invalid_name");
        CHECK(message_of(r).find("lettres latines") != std::string::npos);
        CHECK(verify(f, {"smile@example.org", "Jean \xF0\x9F\x98\x80", "Dupont"}).status == 422);
    }
}

TEST_CASE("the same person through two mailboxes gets one ballot",
          "[integration][voting][identity]") {
    TestCampaign f(engine(), kVoting);
    const Resident truth{"anne.marie@example.org", "Anne Marie", "Lefebvre", "1964-08-14"};
    f.vote(truth, {"a"});

    const Resident variants[] = {
        {"am.lefebvre@exemple.fr", "Anne Marie", "Lefebvre", "1964-08-14"},  // the truth again
        {"marie.anne@exemple.fr", "Marie Anne", "Lefebvre", "1964-08-14"},   // reordered
        {"lefebvre.a@exemple.fr", "Lefebvre", "Anne Marie", "1964-08-14"},   // swapped
        {"annemarie@exemple.fr", "Anne-Marie", "LEFEBVRE", "1964-08-14"},    // joined
    };
    for (const auto& who : variants) {
        INFO(who.email << ": " << who.first_name << " " << who.last_name);
        const auto a = try_to_vote(f, who, "b");
        REQUIRE(a.verified.status == 200);
        CHECK(json::parse(a.verified.body).at("already_voted").as_bool());
        CHECK(a.cast.status == 409);
        CHECK(code_of(a.cast) == "already_voted");
    }
    SECTION("the usage name declared the first time is recognised as a last name later") {
        const Resident married{"claire@example.org", "Claire", "Vasseur", "1980-02-02"};
        REQUIRE(verify(f, married, "Lefort").status == 200);
        const auto voted =
            verify(f, {"claire.bis@example.org", "Claire", "Vasseur", "1980-02-02"}, "Lefort");
        REQUIRE(voted.status == 200);
        REQUIRE(f.cast(token_of(voted), R"({"choices":["a"]})").status == 201);
        const auto as_usage =
            try_to_vote(f, {"claire.lefort@exemple.fr", "Claire", "Lefort", "1980-02-02"}, "b");
        REQUIRE(as_usage.verified.status == 200);
        CHECK(as_usage.cast.status == 409);
    }
    SECTION("a twin with another first name is another person") {
        const auto twin =
            try_to_vote(f, {"paul.lefebvre@example.org", "Paul", "Lefebvre", "1964-08-14"}, "b");
        CHECK(twin.cast.status == 201);
    }
}

TEST_CASE(
    "two ballots of one person sent at the same instant from two mailboxes: one receipt, "
    "one already_voted",
    "[integration][voting][identity]") {
    TestCampaign f(engine(), kVoting);
    // Given names in another order: different primary claims (different voted markers), so
    // only the claims set of the shard can tell; the script must do it atomically.
    const auto first = verify(f, {"un@example.org", "Jean Pierre", "Caron", "1955-05-05"});
    const auto second = verify(f, {"deux@exemple.fr", "Pierre Jean", "Caron", "1955-05-05"});
    REQUIRE(first.status == 200);
    REQUIRE(second.status == 200);
    const int port = f.port();
    auto cast = [port](const std::string& token) {
        return std::async(std::launch::async, [port, token] {
            return http_request(port, "POST", "/api/v1/ballots", R"({"choices":["a"]})",
                                {{"Authorization", "Bearer " + token}});
        });
    };
    auto a = cast(token_of(first));
    auto b = cast(token_of(second));
    const auto ra = a.get();
    const auto rb = b.get();
    INFO(ra.body << rb.body);
    CHECK(((ra.status == 201 && rb.status == 409) || (ra.status == 409 && rb.status == 201)));
    CHECK(code_of(ra.status == 409 ? ra : rb) == "already_voted");
    CHECK(log_length(f) == "1");
}

TEST_CASE(
    "with adults sent to FranceConnect, an adult is refused the e-mail path and a "
    "15-year-old is accepted",
    "[integration][voting][identity]") {
    TempDir secrets;
    { std::ofstream(secrets.path() + "/fc.secret") << "not-a-real-secret\n"; }
    std::filesystem::permissions(
        secrets.path() + "/fc.secret",
        std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
        std::filesystem::perm_options::replace);
    auto config = engine();
    // [identity] and [franceconnect] after [otp]: the fixture writes these lines last.
    config.otp_lines +=
        "[identity]\n"
        "methods = [\"franceconnect\", \"email\"]\n"
        "adult_methods = [\"franceconnect\"]\n"
        "[franceconnect]\n"
        "issuer = \"http://127.0.0.1:9\"\n"
        "client_id = \"budget-test\"\n"
        "client_secret_file = \"" +
        secrets.path() +
        "/fc.secret\"\n"
        "redirect_uri = \"http://127.0.0.1:9/api/v1/auth/franceconnect/"
        "callback\"\n";
    TestCampaign f(config, kVoting);

    const auto adult = verify(f, {"adulte@example.org", "Marc", "Delattre", "1980-05-17"});
    REQUIRE(adult.status == 403);
    CHECK(code_of(adult) == "method_not_allowed_for_age");
    CHECK(message_of(adult).find("FranceConnect") != std::string::npos);

    const auto young = try_to_vote(f, {"ado@example.org", "Inès", "Delattre", born_aged(15)}, "a");
    INFO(young.verified.body);
    REQUIRE(young.verified.status == 200);
    CHECK(young.cast.status == 201);

    SECTION("the adult's mailbox stays free: nothing was bound") {
        const auto minor = verify(f, {"adulte@example.org", "Hugo", "Delattre", born_aged(16)});
        CHECK(minor.status == 200);
    }
}

TEST_CASE("without \"email\" in [identity] methods, no code is sent nor checked",
          "[integration][voting][identity]") {
    TempDir secrets;
    { std::ofstream(secrets.path() + "/fc.secret") << "not-a-real-secret\n"; }
    std::filesystem::permissions(
        secrets.path() + "/fc.secret",
        std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
        std::filesystem::perm_options::replace);
    auto config = engine();
    config.otp_lines +=
        "[identity]\n"
        "methods = [\"franceconnect\"]\n"
        "[franceconnect]\n"
        "issuer = \"http://127.0.0.1:9\"\n"
        "client_id = \"budget-test\"\n"
        "client_secret_file = \"" +
        secrets.path() +
        "/fc.secret\"\n"
        "redirect_uri = \"http://127.0.0.1:9/api/v1/auth/franceconnect/"
        "callback\"\n";
    TestCampaign f(config, kVoting);
    const auto challenged = f.challenge("personne@example.org");
    CHECK(challenged.status == 403);
    CHECK(code_of(challenged) == "method_not_offered");
    CHECK(f.last_code("personne@example.org").empty());
    const auto code = http_request(f.port(), "POST", "/api/v1/auth/code",
                                   R"({"email":"personne@example.org","code":"123456"})");
    CHECK(code.status == 403);
    CHECK(code_of(code) == "method_not_offered");
    const auto verified = verify_with_code(f, {"personne@example.org", "Jean", "Dupont"}, "123456");
    CHECK(verified.status == 403);
    CHECK(code_of(verified) == "method_not_offered");
}

TEST_CASE("with the default allowance, one mailbox gets three codes an hour however it is tagged",
          "[integration][voting][identity]") {
    EngineConfig config;
    config.command_timeout_ms = 1000;
    TestCampaign f(config, kVoting);
    for (int n = 0; n < 3; ++n)
        CHECK(f.challenge("mallory+" + std::to_string(n) + "@example.org").status == 202);
    const auto fourth = f.challenge("mallory+3@example.org");
    CHECK(fourth.status == 429);
    CHECK(code_of(fourth) == "rate_limited");
    CHECK(f.challenge("Mallory@Example.org").status == 429);
    CHECK(f.challenge("someone.else@example.org").status == 202);
}
