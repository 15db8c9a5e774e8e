// Integration: the resident path over HTTP (auth_api, ballot_api) against a real redis-server
// and budgetd.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include "config/config.hpp"
#include "config/paris_time.hpp"
#include "server/api/auth_api.hpp"
#include "server/api/ballot_api.hpp"
#include "server/core/crypto.hpp"
#include "server/storage/keys.hpp"
#include "tests/server/support/campaign_fixture.hpp"

using namespace budget::test;
using namespace std::chrono_literals;
namespace json = boost::json;
namespace keys = budget::server::storage::keys;

namespace {

// A key of campaign "t", quoted for redis-cli's command line (hash tags hold braces).
std::string quoted(const std::string& key) { return "'" + key + "'"; }
const std::string kLog = quoted(keys::ballot_log("t", 0));
const std::string kStats = quoted(keys::ballot_stats("t", 0));

// A campaign in its vote whose sealed ballot holds initiatives a, b, c, d (written as the
// labelling path would have sealed it, so that these tests need only the resident path).
const std::vector<TestInitiative> kInitiatives{{"a"}, {"b"}, {"c"}, {"d"}};
const CampaignLaunch kVoting{.ballot = kInitiatives};

// The engine of these tests: Redis commands time out after a second.
EngineConfig engine(EngineConfig config = {}) {
    config.command_timeout_ms = 1000;
    return config;
}

std::string log_length(TestCampaign& f) { return f.redis().cli("LLEN " + kLog); }
std::string total(TestCampaign& f) { return f.redis().cli("HGET " + kStats + " total"); }

std::string code_of(const HttpResult& r) {
    return std::string(json::parse(r.body).at("error").at("code").as_string());
}

}  // namespace

TEST_CASE("a resident verifies their email and casts one ballot, and gets a receipt",
          "[integration][voting]") {
    TestCampaign f(engine(), kVoting);
    const auto token = f.verify_resident({"eloise@example.org", "Éloïse", "Dupont-Martin"});
    REQUIRE(!token.empty());

    const auto r = f.cast(token, R"({"choices":["c","a"]})");
    REQUIRE(r.status == 201);
    const auto receipt = json::parse(r.body).at("receipt").as_object();
    const std::string ballot_id(receipt.at("ballot_id").as_string());
    CHECK(ballot_id.size() == 32);
    CHECK(receipt.at("ballot_hash").as_string().size() == 64);
    CHECK(receipt.contains("cast_at"));
    // Written by hand on the hot path: the very bytes Boost.JSON would write.
    CHECK(r.body == budget::server::api::receipt_json(
                        ballot_id, std::string(receipt.at("ballot_hash").as_string()),
                        std::string(receipt.at("cast_at").as_string())));

    SECTION("the stored ballot holds its id and sorted choices, nothing about the voter") {
        const auto stored = f.redis().cli("LINDEX " + kLog + " 0");
        CHECK(stored == R"({"ballot_id":")" + ballot_id + R"(","choices":["a","c"]})");
        // The receipt's hash is the RFC 6962 leaf hash of exactly those bytes.
        std::string leaf_input = std::string(1, '\0') + stored;
        CHECK(std::string(receipt.at("ballot_hash").as_string()) ==
              budget::server::crypto::sha256_hex(leaf_input));
        const auto keys = f.redis().cli("--scan --pattern '*'");
        CHECK(keys.find("eloise") == std::string::npos);
        CHECK(keys.find("example.org") == std::string::npos);
    }
    SECTION("the receipt is known before publication") {
        const auto rec = http_request(f.port(), "GET", "/api/v1/receipts/" + ballot_id);
        CHECK(rec.status == 200);
        CHECK(rec.body == R"({"status":"recorded"})");
        CHECK(http_request(f.port(), "GET", "/api/v1/receipts/" + std::string(32, '0')).status ==
              404);
        CHECK(http_request(f.port(), "GET", "/api/v1/receipts/not-hex").status == 404);
    }
    SECTION("a second ballot from the same person is refused, and nothing changes") {
        const auto again = f.cast(token, R"({"choices":["b"]})");
        CHECK(again.status == 409);
        CHECK(code_of(again) == "already_voted");
        CHECK(log_length(f) == "1");
        CHECK(total(f) == "1");
    }
    SECTION("the same person through a second email still cannot vote twice") {
        const auto second =
            f.verify_resident({"eloise.pro@example.org", "eloise", "dupont martin"});
        REQUIRE(!second.empty());
        const auto again = f.cast(second, R"({"choices":["b"]})");
        CHECK(again.status == 409);
        CHECK(code_of(again) == "already_voted");
        CHECK(log_length(f) == "1");
    }
    SECTION("an email already bound to a person cannot verify another") {
        HttpResult failure;
        CHECK(f.verify_resident({"eloise@example.org", "Jean", "Valjean", "1970-01-01", "62041"},
                                &failure)
                  .empty());
        CHECK(failure.status == 409);
        CHECK(code_of(failure) == "email_already_used");
    }
}

TEST_CASE("64 concurrent ballots from one session give exactly one receipt",
          "[integration][voting]") {
    TestCampaign f(engine(), kVoting);
    const auto token = f.verify_resident({"rush@example.org", "Marie", "Curie"});
    REQUIRE(!token.empty());
    std::vector<std::future<int>> results;
    results.reserve(64);
    for (int i = 0; i < 64; ++i) {
        results.push_back(std::async(std::launch::async,
                                     [&] { return f.cast(token, R"({"choices":["a"]})").status; }));
    }
    int created = 0, conflicts = 0, other = 0;
    for (auto& r : results) {
        const int s = r.get();
        (s == 201 ? created : s == 409 ? conflicts : other)++;
    }
    CHECK(created == 1);
    CHECK(conflicts == 63);
    CHECK(other == 0);
    CHECK(log_length(f) == "1");
    CHECK(total(f) == "1");
}

TEST_CASE("eligibility is checked at verification", "[integration][voting]") {
    TestCampaign f(engine(), kVoting);
    HttpResult failure;
    SECTION("a ten-year-old is too young") {
        const auto ten =
            std::to_string(std::stoi(rfc3339_utc(now_unix()).substr(0, 4)) - 10) + "-01-01";
        CHECK(f.verify_resident({"kid@example.org", "Petit", "Enfant", ten, "62041"}, &failure)
                  .empty());
        CHECK(failure.status == 403);
        CHECK(code_of(failure) == "too_young");
    }
    SECTION("a commune of the Nord is not resident") {
        CHECK(f.verify_resident({"lille@example.org", "Jean", "Nord", "1980-01-01", "59350"},
                                &failure)
                  .empty());
        CHECK(failure.status == 403);
        CHECK(code_of(failure) == "not_resident");
    }
    SECTION("names and dates must be plausible") {
        CHECK(f.verify_resident({"x@example.org", "R2D2", "Robot", "1980-01-01", "62041"}, &failure)
                  .empty());
        CHECK(failure.status == 422);
        CHECK(code_of(failure) == "invalid_name");
        CHECK(f.verify_resident({"y@example.org", "Jean", "Date", "1980-02-30", "62041"}, &failure)
                  .empty());
        CHECK(failure.status == 422);
        CHECK(code_of(failure) == "invalid_birth_date");
    }
}

TEST_CASE("bad ballots are refused with the right code and leave nothing behind",
          "[integration][voting]") {
    TestCampaign f(engine(), kVoting);
    const auto token = f.verify_resident({"picky@example.org", "Paul", "Lafargue"});
    REQUIRE(!token.empty());
    auto expect = [&](const std::string& body, int status, const std::string& code) {
        const auto r = f.cast(token, body);
        CHECK(r.status == status);
        CHECK(code_of(r) == code);
    };
    expect(R"({"choices":[]})", 422, "invalid_choices");
    expect(R"({"choices":["a","b","c","d"]})", 422, "invalid_choices");
    expect(R"({"choices":["a","a"]})", 422, "invalid_choices");
    expect(R"({"choices":["zzz"]})", 422, "invalid_choices");
    expect(R"({"choices":["a",3]})", 400, "invalid_field");
    expect(R"({"choices":"a"})", 400, "invalid_field");
    expect(R"({"choix":["a"]})", 400, "invalid_field");
    expect(R"({"choices":["a"])", 400, "malformed_json");
    expect(R"(["a"])", 400, "malformed_json");
    {
        const auto big = f.cast(token, R"({"choices":[")" + std::string(1 << 20, 'a') + R"("]})");
        CHECK(big.status == 413);
    }
    {
        const auto none = f.cast("", R"({"choices":["a"]})");
        CHECK(none.status == 401);
        CHECK(code_of(none) == "not_authenticated");
        // One character in the middle changed: the last ones may carry base64's unused bits,
        // and a token can already end in the replacement.
        auto tampered = token;
        auto& middle = tampered[tampered.size() / 2];
        middle = middle == 'A' ? 'B' : 'A';
        const auto forged = f.cast(tampered, R"({"choices":["a"]})");
        CHECK(forged.status == 401);
    }
    CHECK(log_length(f) == "0");
    CHECK(f.redis().cli("EXISTS " + kStats) == "0");
    // After all that, a good ballot still goes through.
    CHECK(f.cast(token, R"({"choices":["a","b","c"]})").status == 201);
}

TEST_CASE("one-time codes: identical answers, limited tries, limited requests",
          "[integration][voting]") {
    TestCampaign f(engine(), kVoting);
    SECTION("every address gets the same answer") {
        const auto a = f.challenge("someone@example.org");
        const auto b = f.challenge("nobody-at-all@example.net");
        CHECK(a.status == 202);
        CHECK(a.body == b.body);
        CHECK(f.last_code("someone@example.org").size() == 6);
        CHECK(f.challenge("not an address").status == 422);
    }
    SECTION("a code dies after five wrong tries, even for the right code afterwards") {
        REQUIRE(f.challenge("tries@example.org").status == 202);
        const auto good = f.last_code("tries@example.org");
        const std::string wrong = good == "000000" ? "111111" : "000000";
        for (int i = 0; i < 6; ++i) {
            const auto r = f.verify({"tries@example.org", "Ada", "Lovelace"}, wrong);
            CHECK(r.status == 401);
            CHECK(code_of(r) == "invalid_code");
        }
        CHECK(f.verify({"tries@example.org", "Ada", "Lovelace"}, good).status == 401);
    }
    SECTION("a code is used once") {
        REQUIRE(f.challenge("once@example.org").status == 202);
        const auto code = f.last_code("once@example.org");
        CHECK(f.verify({"once@example.org", "Ada", "Lovelace"}, code).status == 200);
        CHECK(f.verify({"once@example.org", "Ada", "Lovelace"}, code).status == 401);
    }
    SECTION("at most three codes per address per hour") {
        for (int i = 0; i < 3; ++i) CHECK(f.challenge("many@example.org").status == 202);
        const auto r = f.challenge("many@example.org");
        CHECK(r.status == 429);
        CHECK(std::stoi(r.headers.at("retry-after")) > 0);
    }
}

TEST_CASE("a client address past its hourly allowance is rate limited", "[integration][voting]") {
    TestCampaign f(engine({.otp_lines = "max_requests_per_ip_hour = 5\n"}), kVoting);
    for (int i = 0; i < 5; ++i)
        CHECK(f.challenge("ip" + std::to_string(i) + "@example.org").status == 202);
    const auto r = f.challenge("ip-last@example.org");
    CHECK(r.status == 429);
    CHECK(r.headers.count("retry-after") == 1);
}

TEST_CASE("behind a trusted proxy each forwarded client address has its own allowance",
          "[integration][voting]") {
    TestCampaign f(engine({.otp_lines = "max_requests_per_ip_hour = 2\n"}), kVoting);
    auto challenge_from = [&](const std::string& email, const std::string& forwarded) {
        return http_request(f.port(), "POST", "/api/v1/auth/challenge",
                            json::serialize(json::object{{"email", email}}),
                            {{"X-Forwarded-For", forwarded}});
    };
    SECTION("without trusted_proxies the header is ignored: one allowance for the peer") {
        CHECK(challenge_from("a1@example.org", "198.51.100.1").status == 202);
        CHECK(challenge_from("a2@example.org", "198.51.100.2").status == 202);
        CHECK(challenge_from("a3@example.org", "198.51.100.3").status == 429);
    }
    SECTION("with the proxy trusted, the address it forwards is limited, not the proxy") {
        f.config().server_lines = "trusted_proxies = [\"127.0.0.1\"]\n";
        f.restart();
        CHECK(challenge_from("b1@example.org", "198.51.100.1").status == 202);
        CHECK(challenge_from("b2@example.org", "198.51.100.1").status == 202);
        CHECK(challenge_from("b3@example.org", "198.51.100.1").status == 429);
        // Another resident behind the same proxy still has their allowance...
        CHECK(challenge_from("c1@example.org", "198.51.100.2").status == 202);
        // ...and a client cannot escape its limit by writing the header itself.
        CHECK(challenge_from("b4@example.org", "203.0.113.9, 198.51.100.1").status == 429);
    }
}

TEST_CASE("a process configured with another shard count than the campaign's takes no ballot",
          "[integration][voting]") {
    TestCampaign f(engine(), kVoting);
    const auto first = f.verify_resident({"shard-a@example.org", "Anne", "Premier"});
    REQUIRE(f.cast(first, R"({"choices":["a"]})").status == 201);
    CHECK(f.redis().cli("GET " + quoted(keys::ballot_shards("t"))) == "1");

    // The same campaign restarted with ballot_shards = 2: a voter's marker could be looked for
    // in the wrong shard, so nothing is taken.
    f.config().ballot_shards = 2;
    f.restart();
    const auto second = f.verify_resident({"shard-b@example.org", "Bruno", "Second"});
    const auto refused = f.cast(second, R"({"choices":["a"]})");
    CHECK(refused.status == 503);
    CHECK(code_of(refused) == "storage_misconfigured");
    CHECK(log_length(f) == "1");
    CHECK(f.budgetd().log().find("ballot_shards_mismatch") != std::string::npos);
}

TEST_CASE("without the replica that WAIT asks for, no receipt is promised for a stored ballot",
          "[integration][voting]") {
    TestCampaign f(engine(), kVoting);
    f.config().wait_replicas = 1;
    f.config().wait_timeout_ms = 100;
    f.config().tree_head_interval_s = 1;
    f.restart();
    const auto token = f.verify_resident({"wait@example.org", "Wanda", "Attente"});
    const auto r = f.cast(token, R"({"choices":["a"]})");
    CHECK(r.status == 503);
    CHECK(code_of(r) == "ballot_outcome_unknown");
    CHECK(r.body.find("receipt") == std::string::npos);
    CHECK(r.headers.count("retry-after") == 1);
    // The primary has it (the answer says the outcome is unknown, not that nothing was saved).
    CHECK(log_length(f) == "1");
    CHECK(f.budgetd().log().find("ballot_wait_unsatisfied") != std::string::npos);
    CHECK(code_of(f.cast(token, R"({"choices":["a"]})")) == "already_voted");
    // Sent again with its key, it is still not promised while no replica holds it.
    const auto keyed = f.verify_resident({"wait2@example.org", "Walter", "Attente"});
    const std::string key = "wait-key-0123456789abcdef";
    CHECK(code_of(f.cast(keyed, R"({"choices":["b"]})", key)) == "ballot_outcome_unknown");
    CHECK(code_of(f.cast(keyed, R"({"choices":["b"]})", key)) == "ballot_outcome_unknown");
    CHECK(log_length(f) == "2");
    // Nor does a signed tree head cover it: a failover could still lose it.
    REQUIRE(eventually(
        [&] { return f.budgetd().log().find("tree_head_unreplicated") != std::string::npos; }, 5s));
    CHECK(http_request(f.port(), "GET", "/api/v1/log/head").status == 404);
}

TEST_CASE("the same ballot request sent again gets back its receipt instead of 409",
          "[integration][voting]") {
    TestCampaign f(engine(), kVoting);
    const auto token = f.verify_resident({"retry@example.org", "Rémi", "Renvoi"});
    const std::string key = "k4Xb9-retry_0123456789";
    const auto first = f.cast(token, R"({"choices":["a","b"]})", key);
    REQUIRE(first.status == 201);
    // The answer was lost on the way, say: the page sends the same request again.
    const auto again = f.cast(token, R"({"choices":["a","b"]})", key);
    CHECK(again.status == 201);
    CHECK(again.body == first.body);
    CHECK(log_length(f) == "1");
    CHECK(total(f) == "1");
    // Any other request of the same person is a second vote.
    CHECK(code_of(f.cast(token, R"({"choices":["c"]})", "another-key-0123456789")) ==
          "already_voted");
    CHECK(code_of(f.cast(token, R"({"choices":["a","b"]})")) == "already_voted");
    // The key is bound to the person: someone else sending it votes for themselves.
    const auto other = f.verify_resident({"autre@example.org", "Odile", "Autre"});
    const auto theirs = f.cast(other, R"({"choices":["d"]})", key);
    CHECK(theirs.status == 201);
    CHECK(theirs.body != first.body);
    CHECK(log_length(f) == "2");
}

TEST_CASE("an Idempotency-Key sent again with other choices gets 409 and records nothing",
          "[integration][voting]") {
    TestCampaign f(engine(), kVoting);
    const auto token = f.verify_resident({"reuse@example.org", "Rita", "Réemploi"});
    const std::string key = "k4Xb9-reuse_0123456789";
    const auto first = f.cast(token, R"({"choices":["a","b"]})", key);
    REQUIRE(first.status == 201);
    const auto other = f.cast(token, R"({"choices":["c"]})", key);
    CHECK(other.status == 409);
    CHECK(code_of(other) == "idempotency_key_reused");
    CHECK(other.body.find(first.body.substr(20, 32)) == std::string::npos);
    CHECK(code_of(f.cast(token, R"({"choices":["a","b","c"]})", key)) == "idempotency_key_reused");
    // The same choices in another order and layout are the same ballot: its receipt.
    const auto same = f.cast(token, R"({ "choices" : ["b", "a"] })", key);
    CHECK(same.status == 201);
    CHECK(same.body == first.body);
    CHECK(log_length(f) == "1");
    CHECK(total(f) == "1");
}

TEST_CASE("a ballot a browser sends from another site is refused, an API client's is not",
          "[integration][voting]") {
    TestCampaign f(engine(), kVoting);
    const auto token = f.verify_resident({"csrf@example.org", "Cyril", "Site"});
    REQUIRE(!token.empty());
    const std::map<std::string, std::string> cookie{{"Cookie", "budget_voter=" + token}};
    auto with = [&](std::map<std::string, std::string> more) {
        more.insert(cookie.begin(), cookie.end());
        return http_request(f.port(), "POST", "/api/v1/ballots", R"({"choices":["a"]})", more);
    };
    // The attack of the issue: the resident's cookie, a foreign Origin, a "simple" request.
    const auto forged = with({{"Origin", "https://evil.example"}, {"Content-Type", "text/plain"}});
    CHECK(forged.status == 403);
    CHECK(code_of(forged) == "origin_refused");
    CHECK(with({{"Origin", "https://evil.example"}}).status == 403);
    CHECK(with({{"Sec-Fetch-Site", "cross-site"}}).status == 403);
    // From the site itself, a body that is not declared JSON is refused with a French 415.
    const auto site = "http://127.0.0.1:" + std::to_string(f.port());
    const auto plain = with({{"Origin", site}, {"Content-Type", "text/plain"}});
    CHECK(plain.status == 415);
    CHECK(code_of(plain) == "unsupported_media_type");
    CHECK(json::parse(plain.body).at("error").at("message").as_string().find("JSON") !=
          std::string::npos);
    // The steps before the ballot are guarded alike.
    CHECK(http_request(f.port(), "POST", "/api/v1/auth/challenge",
                       R"({"email":"csrf@example.org"})", {{"Origin", "https://evil.example"}})
              .status == 403);
    CHECK(log_length(f) == "0");
    // The page itself (same origin, JSON) and an API client (bearer, no Origin) vote.
    const auto from_page = with({{"Origin", site}, {"Sec-Fetch-Site", "same-origin"}});
    CHECK(from_page.status == 201);
    const auto other = f.verify_resident({"api@example.org", "Agathe", "Client"});
    CHECK(f.cast(other, R"({"choices":["b"]})").status == 201);
    CHECK(log_length(f) == "2");
}

TEST_CASE("a malformed Idempotency-Key is refused before anything is stored",
          "[integration][voting]") {
    TestCampaign f(engine(), kVoting);
    const auto token = f.verify_resident({"badkey@example.org", "Berthe", "Clé"});
    for (const std::string& key :
         {std::string("short"), std::string(65, 'a'), std::string("spaces in key 0123456")}) {
        const auto r = f.cast(token, R"({"choices":["a"]})", key);
        CHECK(r.status == 400);
        CHECK(code_of(r) == "invalid_idempotency_key");
    }
    CHECK(log_length(f) == "0");
    CHECK(f.cast(token, R"({"choices":["a"]})").status == 201);
}

TEST_CASE("with Redis down a ballot gets 503 and no receipt, then goes through once it is back",
          "[integration][voting]") {
    TestCampaign f(engine(), kVoting);
    const auto token = f.verify_resident({"storm@example.org", "Jean", "Jaurès"});
    REQUIRE(!token.empty());
    f.redis().stop();
    const auto down = f.cast(token, R"({"choices":["a"]})");
    CHECK(down.status == 503);
    CHECK(down.headers.count("retry-after") == 1);
    CHECK(down.body.find("receipt") == std::string::npos);
    f.redis().start();
    REQUIRE(eventually(
        [&] { return http_request(f.port(), "GET", "/api/v1/health").status == 200; }, 5s));
    const auto up = f.cast(token, R"({"choices":["a"]})");
    CHECK(up.status == 201);
}

TEST_CASE("outside the vote window no code is sent and no code is checked, with the phase said",
          "[integration][voting]") {
    auto refused_step = [](TestCampaign& f, const std::string& path, const std::string& body) {
        const auto r = http_request(f.port(), "POST", path, body);
        CHECK(r.status == 403);
        CHECK(code_of(r) == "vote_not_open");
        return json::parse(r.body).at("error").as_object();
    };
    const std::string email = R"({"email":"late@example.org")";
    SECTION("after the close, challenges, codes and verifications get 403 with the phase") {
        TestCampaign f(engine({.window = VoteWindow::relative(-7200, -3600)}), kVoting);
        const auto e = refused_step(f, "/api/v1/auth/challenge", email + "}");
        CHECK(e.at("phase").as_string() == "closed");
        CHECK(std::string(e.at("message").as_string()).rfind("Le vote est clos", 0) == 0);
        CHECK(f.last_code("late@example.org").empty());
        refused_step(f, "/api/v1/auth/code", email + R"(,"code":"123456"})");
        const auto v = f.verify({"late@example.org", "Jean", "Tard"}, "123456");
        CHECK(v.status == 403);
        CHECK(code_of(v) == "vote_not_open");
        CHECK(log_length(f) == "0");
    }
    SECTION("before the opening, the challenge is refused with the opening date in French") {
        const auto opens = *budget::config::parse_rfc3339("2099-09-01T00:00:00+02:00");
        const auto closes = *budget::config::parse_rfc3339("2099-09-30T23:59:59+02:00");
        TestCampaign f(engine({.window = VoteWindow::between(opens, closes)}), kVoting);
        const auto e = refused_step(f, "/api/v1/auth/challenge", email + "}");
        CHECK(e.at("phase").as_string() == "labelling");
        CHECK(std::string(e.at("message").as_string()).find("ouvrira le 1er septembre 2099") !=
              std::string::npos);
        CHECK(f.last_code("late@example.org").empty());
    }
}

namespace {
// budgetd alone runs on a fake clock that starts at `utc` and then advances in real time.
std::vector<std::string> fake_clock(const std::string& utc) {
    return {"LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1", "FAKETIME=@" + utc,
            "FAKETIME_DONT_FAKE_MONOTONIC=1", "TZ=UTC",
            "ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0"};
}
}  // namespace

TEST_CASE("the vote window opens and closes to the second, in Paris summer time",
          "[integration][voting][window]") {
    // 2026-09-01T00:00:00+02:00 is 2026-08-31T22:00:00Z; 2026-09-30T23:59:59+02:00 is 21:59:59Z.
    const auto opens = *budget::config::parse_rfc3339("2026-09-01T00:00:00+02:00");
    const auto closes = *budget::config::parse_rfc3339("2026-09-30T23:59:59+02:00");
    // The fake clocks start 8 s before the edge: a loaded machine (sanitizers, parallel tests)
    // may take seconds to start budgetd and verify a resident, and the edge must not pass first.
    SECTION("eight seconds before the opening no code is sent, just after a ballot is accepted") {
        TestCampaign f(engine({.window = VoteWindow::between(opens, closes)}),
                       {.ballot = kInitiatives, .budgetd_env = fake_clock("2026-08-31 21:59:52")});
        // The fake clock starts when budgetd's process initialises, a little after the spawn.
        const auto started = f.budgetd().spawned_at();
        // Before the opening no code is sent: a session cannot be had, let alone a ballot.
        const auto early = f.challenge("dawn@example.org");
        REQUIRE(std::chrono::steady_clock::now() - started < 7800ms);  // still before the opening
        CHECK(early.status == 403);
        CHECK(code_of(early) == "vote_not_open");
        CHECK(json::parse(early.body)
                  .at("error")
                  .at("message")
                  .as_string()
                  .find("1er septembre 2026") != std::string::npos);
        // Not a wait for a state: the fake clock must really cross midnight, so time must pass.
        std::this_thread::sleep_until(started + 9800ms);
        const auto token = f.verify_resident({"dawn@example.org", "Aube", "Matinale"});
        REQUIRE(!token.empty());
        const auto on_time = f.cast(token, R"({"choices":["a"]})");
        REQUIRE(on_time.status == 201);
        const std::string cast_at(
            json::parse(on_time.body).at("receipt").at("cast_at").as_string());
        CHECK(cast_at.rfind("2026-09-01T00:00:0", 0) == 0);
        CHECK(cast_at.substr(cast_at.size() - 6) == "+02:00");
    }
    SECTION("the last second of 30 September is in, the next one is out") {
        TestCampaign f(engine({.window = VoteWindow::between(opens, closes)}),
                       {.ballot = kInitiatives, .budgetd_env = fake_clock("2026-09-30 21:59:52")});
        const auto started = f.budgetd().spawned_at();
        const auto first = f.verify_resident({"last@example.org", "Dernier", "Votant"});
        const auto second = f.verify_resident({"late@example.org", "Retard", "Votant"});
        REQUIRE(!first.empty());
        REQUIRE(!second.empty());
        const auto in_time = f.cast(first, R"({"choices":["b"]})");
        REQUIRE(std::chrono::steady_clock::now() - started < 7500ms);  // still 23:59:59 at most
        CHECK(in_time.status == 201);
        // Not a wait for a state: the fake clock must really pass 23:59:59, so time must pass.
        std::this_thread::sleep_until(started + 9800ms);
        const auto too_late = f.cast(second, R"({"choices":["b"]})");
        CHECK(too_late.status == 403);
        CHECK(code_of(too_late) == "vote_not_open");
        CHECK(log_length(f) == "1");
    }
}

namespace {
// The newest code mailed to `email` in an aiosmtpd Mailbox directory.
std::string code_from_maildir(const std::string& maildir, const std::string& email) {
    std::string code;
    auto newest = std::filesystem::file_time_type::min();
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(maildir + "/new", ec)) {
        std::ifstream in(entry.path());
        std::stringstream text;
        text << in.rdbuf();
        const auto body = text.str();
        if (body.find("To: <" + email + ">") == std::string::npos) continue;
        // "... est : 123456", with the no-break space French typography puts before ":".
        const std::string before_code = "est\u00a0: ";
        const auto at = body.find(before_code);
        if (at == std::string::npos || entry.last_write_time() < newest) continue;
        newest = entry.last_write_time();
        code = body.substr(at + before_code.size(), 6);
    }
    return code;
}
}  // namespace

TEST_CASE("in production codes go out by SMTP and ballots wait for durable storage",
          "[integration][voting][smtp]") {
    const int smtp_port = free_port();
    // No AOF: not durable. budgetd starts once the relay listens.
    TestCampaign c({.production = true,
                    .window = VoteWindow::relative(-3600, 3600),
                    .smtp_port = smtp_port,
                    .otp_lines = "smtp_from = \"budget@example.org\"\n"},
                   {.redis = TestRedis::plain, .ballot = {{"a"}, {"b"}}, .start_budgetd = false});
    const auto maildir = c.dir() + "/mail";
    std::optional<ChildProcess> sink;
    sink.emplace(std::vector<std::string>{"/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l",
                                          "127.0.0.1:" + std::to_string(smtp_port), "-c",
                                          "aiosmtpd.handlers.Mailbox", maildir},
                 c.dir() + "/smtp.log");
    REQUIRE(eventually(
        [&] {
            return run_command("bash -c 'echo > /dev/tcp/127.0.0.1/" + std::to_string(smtp_port) +
                               "'")
                       .first == 0;
        },
        10s));
    c.start();
    const int port = c.port();
    const std::string email = "mail@example.org";
    REQUIRE(c.challenge(email).status == 202);
    std::string code;
    REQUIRE(eventually([&] { return !(code = code_from_maildir(maildir, email)).empty(); }, 5s));
    const auto verified = c.verify({email, "Louise", "Michel", "1990-05-29", "62193"}, code);
    REQUIRE(verified.status == 200);
    const std::string token(json::parse(verified.body).at("token").as_string());

    const auto refused = c.cast(token, R"({"choices":["a"]})");
    CHECK(refused.status == 503);
    CHECK(code_of(refused) == "storage_not_durable");
    CHECK(c.redis().cli("LLEN " + kLog) == "0");

    c.redis().cli("CONFIG SET appendonly yes");
    c.redis().cli("CONFIG SET appendfsync always");
    CHECK(eventually([&] { return c.cast(token, R"({"choices":["a"]})").status == 201; }, 5s));

    SECTION("an unreachable relay gives 503 and a clear message") {
        sink.reset();  // the relay goes away
        const auto r = http_request(port, "POST", "/api/v1/auth/challenge",
                                    R"({"email":"other@example.org"})");
        CHECK(r.status == 503);
        CHECK(code_of(r) == "delivery_failed");
    }
}
