// Integration (issue 14, item 13): budgetd and budgetctl authenticate to Redis as an ACL user
// with the least rights of docs/deploy.md; the embedded Redis gets a generated password; in
// production budgetd refuses a Redis that answers without authentication.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "tests/server/support/campaign_fixture.hpp"

using namespace budget::test;

namespace {

std::pair<int, std::string> budgetctl(const std::string& config, const std::string& args) {
    return run_command(BUDGETCTL_PATH " --config " + config + " " + args);
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

/// The rules of an ACL line "user NAME on #HASH RULES...": what follows the hash.
std::string rules_of(const std::string& line) {
    const auto hash = line.find(" #");
    if (hash == std::string::npos) return "";
    const auto rules = line.find(' ', hash + 2);
    return rules == std::string::npos ? "" : line.substr(rules + 1);
}

/// The ACL line that docs/deploy.md gives operators.
std::string documented_acl_line() {
    std::istringstream doc(read_file(BUDGET_SOURCE_DIR "/docs/deploy.md"));
    std::string line;
    while (std::getline(doc, line)) {
        if (line.rfind("user budgetd on #", 0) == 0) return line;
    }
    return "";
}

int mode_of(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? static_cast<int>(st.st_mode & 0777) : -1;
}

Resident resident(const std::string& who) {
    return {who + "@example.org", who, "Votant", "1980-01-01", "62193"};
}

}  // namespace

TEST_CASE("budgetd and budgetctl cast, log in and tally under the ACL that docs/deploy.md gives",
          "[integration][redis][auth]") {
    TestCampaign c({.redis_acl = true}, {.redis = TestRedis::aof_always, .ballot = {{"a"}, {"b"}}});
    const auto config = c.config_path();
    const auto password_file = c.dir() + "/data/keys/redis-password";
    CHECK(mode_of(password_file) == 0600);

    // The fixture applied what budgetctl printed; it is the documented line, hash aside.
    const auto documented = documented_acl_line();
    REQUIRE_FALSE(documented.empty());
    const auto again = budgetctl(config, "keys redis-password");
    CHECK(again.first == 1);  // never replaced silently: Redis's ACL holds the current one
    CHECK(again.second.find("refusing to replace") != std::string::npos);
    const auto forced = budgetctl(config, "keys redis-password --force");
    REQUIRE(forced.first == 0);
    const auto printed = forced.second.substr(forced.second.find("user budgetd on #"));
    CHECK(rules_of(printed.substr(0, printed.find('\n'))) == rules_of(documented));
    // The ACL now holds the replaced password: apply it, as the operator is told to.
    c.redis().lock_down(printed.substr(0, printed.find('\n')));
    c.restart();

    // Anyone else who reaches Redis gets nothing.
    CHECK(run_command("redis-cli -p " + std::to_string(c.redis().port()) + " SET budget:x 1")
              .second.find("NOAUTH") != std::string::npos);

    // The resident's path: challenge, verification, ballot; the staff's: account, login, stats.
    c.vote(resident("ana"), {"a", "b"});
    c.vote(resident("bob"), {"a"});
    const auto mission = c.staff_login("mission");
    CHECK(mission.get("/api/v1/admin/stats").status == 200);

    // After the close, budgetctl counts and signs under the same user.
    c.restart(VoteWindow::relative(-7200, -10));
    const auto tallied = budgetctl(config, "tally --rule greedy --out " + c.dir() + "/results");
    INFO(tallied.second);
    CHECK(tallied.first == 0);
    CHECK(tallied.second.find("tallied 2 ballots") != std::string::npos);
    CHECK(budgetctl(config, "storage ledger").first == 0);
    INFO(c.budgetd().log());
    CHECK(c.budgetd().log().find("NOPERM") == std::string::npos);
    CHECK(c.budgetd().log().find("redis_auth_refused") == std::string::npos);
}

TEST_CASE("a wrong Redis password stops budgetctl with Redis's reason, and an open file too",
          "[integration][redis][auth]") {
    TestCampaign c({.redis_acl = true}, {.redis = TestRedis::plain, .start_budgetd = false});
    const auto config = c.write_config();
    const auto password_file = c.dir() + "/data/keys/redis-password";
    { std::ofstream(password_file, std::ios::trunc) << "not-the-password\n"; }
    auto [code, out] = budgetctl(config, "storage ledger");
    CHECK(code != 0);
    CHECK(out.find("refused budgetd's credentials") != std::string::npos);
    CHECK(out.find("WRONGPASS") != std::string::npos);

    ::chmod(password_file.c_str(), 0644);
    std::tie(code, out) = budgetctl(config, "storage ledger");
    CHECK(code != 0);
    CHECK(out.find("readable by others") != std::string::npos);
}

TEST_CASE("in production budgetd refuses a Redis that answers without authentication",
          "[integration][redis][auth]") {
    // redis_acl left off: the fixture's redis-server is open, as Redis is out of the box.
    TestCampaign c({.window = VoteWindow::relative(-3600, 3600),
                    .smtp_port = free_port(),
                    .otp_lines = "smtp_from = \"budget@example.org\"\n"},
                   {.redis = TestRedis::plain, .start_budgetd = false});
    c.config().production = true;  // after construction: the fixture would lock Redis down
    const auto [code, err] = c.start_expecting_exit();
    CHECK(code == 2);
    CHECK(err.find("answers without authentication") != std::string::npos);
    CHECK(err.find("production = true") != std::string::npos);

    // Locked down as docs/deploy.md says: the same configuration starts.
    const auto printed = budgetctl(c.write_config(), "keys redis-password");
    REQUIRE(printed.first == 0);
    const auto line = printed.second.substr(printed.second.find("user budgetd on #"));
    c.redis().lock_down(line.substr(0, line.find('\n')));
    c.start();
    CHECK(http_request(c.port(), "GET", "/api/v1/health").status == 200);
}

TEST_CASE("the embedded Redis takes only budgetd's generated password",
          "[integration][redis][auth]") {
    TestCampaign c({.embedded_redis = true}, {.redis = TestRedis::none, .start_budgetd = false});
    c.start();
    const auto data = c.dir() + "/data";
    CHECK(mode_of(data + "/keys/redis-password") == 0600);
    CHECK(mode_of(data + "/redis.conf") == 0600);
    CHECK(read_file(data + "/redis.conf").find("user default off ") != std::string::npos);
    // The password is in neither the config file nor redis-server's command line.
    const auto password = read_file(data + "/keys/redis-password");
    REQUIRE(password.size() > 32);
    CHECK(read_file(data + "/redis.conf").find(password.substr(0, 32)) == std::string::npos);
    const auto unauthenticated = run_command("redis-cli -s " + data + "/redis.sock PING");
    CHECK(unauthenticated.second.find("NOAUTH") != std::string::npos);
    // budgetctl reads the same file and gets in.
    c.add_staff("committee", "carla", "a long enough password");
    const auto login = c.staff_login_request("carla", "a long enough password");
    CHECK(login.status == 200);
    CHECK(http_request(c.port(), "GET", "/api/v1/health").status == 200);

    // A restart replays the AOF, whose MULTI/EXEC blocks Redis checks against the default
    // user's rights: the account written by a script is still there.
    c.restart();
    // "listening" waits for budgetd's first Redis connection: a request sent at once is served.
    CHECK(c.budgetd().log().find(R"("redis_connected":true)") != std::string::npos);
    CHECK(c.staff_login_request("carla", "a long enough password").status == 200);
    CHECK(read_file(data + "/redis.log").find("NOPERM") == std::string::npos);
}
