// Integration: the campaign's phase as recorded state (issue 14, item 1). Once the close is
// recorded, in every ballot shard and in the audit log, no ballot is accepted by any budgetd,
// whatever its clock says; the opening and closing edges are tried with two budgetd processes
// whose clocks differ (libfaketime), and with `budgetctl close`.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "server/storage/keys.hpp"
#include "tests/server/support/campaign_fixture.hpp"

using namespace budget::test;
using namespace std::chrono_literals;
namespace json = boost::json;
namespace keys = budget::server::storage::keys;

namespace {

std::string quoted(const std::string& key) { return "'" + key + "'"; }
const std::vector<TestInitiative> kInitiatives{{"a"}, {"b"}, {"c"}};

EngineConfig engine(VoteWindow window, int ballot_shards = 0) {
    return {.command_timeout_ms = 1000, .ballot_shards = ballot_shards, .window = window};
}

// A budgetd whose clock starts at `unix` (UTC), as in ballot_path_test.
std::vector<std::string> fake_clock(std::int64_t unix) {
    auto at = rfc3339_utc(unix);  // YYYY-MM-DDTHH:MM:SSZ
    at[10] = ' ';
    at.pop_back();
    return {"LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1", "FAKETIME=@" + at,
            "FAKETIME_DONT_FAKE_MONOTONIC=1", "TZ=UTC",
            "ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0"};
}

std::string code_of(const HttpResult& r) {
    return std::string(json::parse(r.body).at("error").at("code").as_string());
}

std::string phase_on(int port) {
    const auto r = http_request(port, "GET", "/api/v1/campaign");
    return r.status == 200 ? std::string(json::parse(r.body).at("phase").as_string()) : "";
}

// Waits (up to 20 s) until the close is recorded in Redis.
bool wait_closed(TestCampaign& f) {
    for (int i = 0; i < 200; ++i) {
        if (f.redis().cli("EXISTS " + quoted(keys::closed("t"))) == "1") return true;
        std::this_thread::sleep_for(100ms);
    }
    return false;
}

long long log_length(TestCampaign& f, int shards) {
    long long n = 0;
    for (int k = 0; k < shards; ++k)
        n += std::stoll(f.redis().cli("LLEN " + quoted(keys::ballot_log("t", k))));
    return n;
}

}  // namespace

TEST_CASE("once a budgetd past the close records it, a budgetd whose clock is behind refuses",
          "[integration][voting][phase]") {
    const int shards = GENERATE(1, 4);
    // The vote closed two minutes ago by the real clock; the first budgetd lives 100 s before it.
    const auto closes = now_unix() - 120;
    TestCampaign f(engine(VoteWindow::between(closes - 86400, closes), shards),
                   {.ballot = kInitiatives, .budgetd_env = fake_clock(closes - 100)});
    const auto first = f.verify_resident({"ana@example.org", "Ana", "Avant"});
    const auto second = f.verify_resident({"bob@example.org", "Bob", "Après"});
    REQUIRE(!first.empty());
    REQUIRE(!second.empty());
    REQUIRE(f.cast(first, R"({"choices":["a"]})").status == 201);  // nobody has closed yet
    CHECK(f.redis().cli("EXISTS " + quoted(keys::closed("t"))) == "0");
    CHECK(phase_on(f.port()) == "voting");

    // A second budgetd on the real clock, past the close: it records the close on its own.
    const auto peer = f.start_peer("ahead");
    REQUIRE(wait_closed(f));
    const auto audit = f.redis().cli("XREVRANGE " + quoted(keys::audit("t")) + " + - COUNT 1");
    CHECK(audit.find("close") != std::string::npos);

    // The budgetd behind the close still believes the vote open, and is told otherwise by Redis.
    const auto late = f.cast(second, R"({"choices":["b"]})");
    CHECK(late.status == 409);
    CHECK(code_of(late) == "vote_closed");
    CHECK(log_length(f, shards) == 1);
    CHECK(phase_on(f.port()) == "closed");
    CHECK(phase_on(peer->port()) == "closed");
}

TEST_CASE("before the opening a budgetd behind refuses the resident while one past it takes them",
          "[integration][voting][phase]") {
    // The vote opened a minute ago by the real clock; the first budgetd lives 100 s before it.
    const auto opens = now_unix() - 60;
    TestCampaign f(engine(VoteWindow::between(opens, opens + 86400)),
                   {.ballot = kInitiatives, .budgetd_env = fake_clock(opens - 100)});
    // The budgetd behind refuses from the first step: no code is sent before its opening.
    const auto early = f.challenge("cyd@example.org");
    CHECK(early.status == 403);
    CHECK(code_of(early) == "vote_not_open");
    CHECK(json::parse(early.body).at("error").at("phase").as_string() == "labelling");
    CHECK(log_length(f, 1) == 0);
    const auto peer = f.start_peer("ahead");
    CHECK(phase_on(peer->port()) == "voting");
    CHECK(phase_on(f.port()) == "labelling");
    // The one past the opening takes the same resident's request.
    CHECK(http_request(peer->port(), "POST", "/api/v1/auth/challenge",
                       R"({"email":"cyd@example.org"})")
              .status == 202);
    // Opening is not a recorded state: a process early refuses, which loses no ballot; the close
    // is the edge that must hold against every clock.
    CHECK(f.redis().cli("EXISTS " + quoted(keys::closed("t"))) == "0");
}

TEST_CASE("budgetctl close ends the vote early, audited, and the tally may follow at once",
          "[integration][voting][phase]") {
    TestCampaign f(engine(VoteWindow::relative(-3600, 3600)), {.ballot = kInitiatives});
    const auto first = f.verify_resident({"dan@example.org", "Dan", "Premier"});
    const auto second = f.verify_resident({"eve@example.org", "Ève", "Seconde"});
    REQUIRE(f.cast(first, R"({"choices":["c"]})").status == 201);
    const std::string ctl = BUDGETCTL_PATH " --config " + f.config_path();
    const auto closed = run_command(ctl + " close --reason 'vote annulé pour intempéries'");
    INFO(closed.second);
    REQUIRE(closed.first == 0);
    CHECK(closed.second.find("closed:") != std::string::npos);
    const auto again = run_command(ctl + " close");
    CHECK(again.first == 0);
    CHECK(again.second.find("already closed") != std::string::npos);
    const auto audit = f.redis().cli("XREVRANGE " + quoted(keys::audit("t")) + " + - COUNT 5");
    CHECK(audit.find("intempéries") != std::string::npos);
    CHECK(audit.find("budgetctl:") != std::string::npos);

    const auto late = f.cast(second, R"({"choices":["a"]})");
    CHECK(late.status == 409);
    CHECK(code_of(late) == "vote_closed");
    CHECK(phase_on(f.port()) == "closed");
    const auto out = f.dir() + "/out";
    const auto tallied = run_command(ctl + " tally --rule greedy --out " + out);
    INFO(tallied.second);
    CHECK(tallied.first == 0);
    CHECK(tallied.second.find("tallied 1 ballot with") != std::string::npos);
}
