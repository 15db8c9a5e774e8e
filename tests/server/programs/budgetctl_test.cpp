// Integration: budgetctl's labelling commands against a real redis-server.
#include <catch2/catch.hpp>
#include <fstream>

#include "server/programs/budgetctl_staff.hpp"
#include "server/storage/keys.hpp"
#include "tests/server/support/campaign_fixture.hpp"

using namespace budget::test;
namespace keys = budget::server::storage::keys;

namespace {

// Labelling time: the vote opens in 2099.
const VoteWindow kLabelling{"2099-09-01T00:00:00+02:00", "2099-09-30T23:59:59+02:00"};

/// A key as one shell word for redis-cli (keys hold braces, never quotes).
std::string shell_word(const std::string& key) { return "'" + key + "'"; }

std::pair<int, std::string> budgetctl(const std::string& config, const std::string& args,
                                      const std::string& stdin_text = "") {
    const std::string input = stdin_text.empty() ? "" : "printf '%s\\n' '" + stdin_text + "' | ";
    return run_command(input + BUDGETCTL_PATH " --config " + config + " " + args);
}

}  // namespace

TEST_CASE(
    "budgetctl user add hashes the password with Argon2id and refuses weak or duplicate "
    "accounts",
    "[integration][budgetctl]") {
    TestCampaign c({.window = kLabelling}, {.redis = TestRedis::plain, .start_budgetd = false});
    auto& redis = c.redis();
    const auto config = c.write_config();

    auto [code, out] = budgetctl(config, "user add --role committee --username alice", "court");
    CHECK(code == 1);
    CHECK(out.find("at least 12 characters") != std::string::npos);
    std::tie(code, out) =
        budgetctl(config, "user add --role admin --username alice", "long-password-123");
    CHECK(code == 2);
    std::tie(code, out) =
        budgetctl(config, "user add --role committee --username Alice", "long-password-123");
    CHECK(code == 0);
    const auto hash = redis.cli("HGET " + shell_word(keys::staff_user("alice")) + " password_hash");
    CHECK(hash.rfind("$argon2id$", 0) == 0);
    CHECK(hash.find("long-password-123") == std::string::npos);
    CHECK(redis.cli("HGET " + shell_word(keys::staff_user("alice")) + " role") == "committee");

    std::tie(code, out) =
        budgetctl(config, "user add --role mission --username alice", "other-password-456");
    CHECK(code == 1);
    CHECK(out.find("exists already") != std::string::npos);
    std::tie(code, out) = budgetctl(config, "user add --role mission --username alice --replace",
                                    "other-password-456");
    CHECK(code == 0);
    CHECK(redis.cli("HGET " + shell_word(keys::staff_user("alice")) + " role") == "mission");
    CHECK(redis.cli("HGET " + shell_word(keys::staff_user("alice")) + " password_hash") != hash);
}

TEST_CASE("budgetctl initiatives import writes the demo set, and a bad file writes nothing",
          "[integration][budgetctl]") {
    TestCampaign c({.window = kLabelling}, {.redis = TestRedis::plain, .start_budgetd = false});
    auto& redis = c.redis();
    const auto config = c.write_config();
    const std::string demo = BUDGET_SOURCE_DIR "/config/demo-initiatives.json";

    auto [code, out] = budgetctl(config, "initiatives import " + demo);
    INFO(out);
    CHECK(code == 0);
    CHECK(out.find("imported 8 initiative(s)") != std::string::npos);
    CHECK(redis.cli("HLEN " + shell_word(keys::initiatives("t"))) == "8");
    CHECK(redis.cli("HGET " + shell_word(keys::initiatives("t")) + " velos-boulonnais")
              .find("\"territory\":\"boulonnais\"") != std::string::npos);

    // Again: every id exists already, nothing changes.
    std::tie(code, out) = budgetctl(config, "initiatives import " + demo);
    CHECK(code == 1);
    CHECK(out.find("existe déjà") != std::string::npos);
    CHECK(redis.cli("XLEN " + shell_word(keys::audit("t"))) == "1");

    // One bad row among good ones: refused whole.
    {
        std::ofstream(c.dir() + "/bad.json")
            << R"([{"id":"neuve","title":"Neuve","summary":"Résumé","holder":"Asso","commune":"62041","requested_eur":100},)"
            << R"({"id":"fausse","title":"Fausse","summary":"Résumé","holder":"Asso","commune":"59350","requested_eur":100}])";
    }
    std::tie(code, out) = budgetctl(config, "initiatives import " + c.dir() + "/bad.json");
    CHECK(code == 1);
    CHECK(out.find("ligne 1 (fausse)") != std::string::npos);
    CHECK(out.find("59350") != std::string::npos);
    CHECK(redis.cli("HEXISTS " + shell_word(keys::initiatives("t")) + " neuve") == "0");

    { std::ofstream(c.dir() + "/broken.json") << "{\"initiatives\": ["; }
    std::tie(code, out) = budgetctl(config, "initiatives import " + c.dir() + "/broken.json");
    CHECK(code == 1);
    CHECK(out.find("not valid JSON") != std::string::npos);
}

TEST_CASE("budgetctl explains that the embedded Redis needs budgetd running",
          "[integration][budgetctl]") {
    TestCampaign c({.embedded_redis = true, .window = kLabelling},
                   {.redis = TestRedis::none, .start_budgetd = false});
    const auto config = c.write_config();
    const auto [code, out] =
        budgetctl(config, "user add --role committee --username alice", "long-password-123");
    CHECK(code == 1);
    CHECK(out.find("start budgetd first") != std::string::npos);
}

TEST_CASE("budgetctl refuses to import once the vote has opened", "[integration][budgetctl]") {
    TestCampaign c({.window = VoteWindow{"2020-09-01T00:00:00+02:00", kLabelling.closes}},
                   {.redis = TestRedis::plain, .start_budgetd = false});
    auto& redis = c.redis();
    const auto config = c.write_config();
    const auto [code, out] =
        budgetctl(config, "initiatives import " BUDGET_SOURCE_DIR "/config/demo-initiatives.json");
    CHECK(code == 1);
    CHECK(out.find("sealed") != std::string::npos);
    CHECK(redis.cli("EXISTS " + shell_word(keys::initiatives("t"))) == "0");
}
