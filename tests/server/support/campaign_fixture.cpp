#include "tests/server/support/campaign_fixture.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace budget::test {

namespace json = boost::json;

VoteWindow VoteWindow::relative(std::int64_t opens_in_s, std::int64_t closes_in_s) {
    const auto now = now_unix();
    return between(now + opens_in_s, now + closes_in_s);
}

VoteWindow VoteWindow::between(std::int64_t opens_unix, std::int64_t closes_unix) {
    return {rfc3339_utc(opens_unix), rfc3339_utc(closes_unix)};
}

std::map<std::string, std::string> StaffSession::headers() const {
    return {{"Cookie", cookie}, {"X-CSRF-Token", csrf}};
}

HttpResult StaffSession::get(const std::string& path) const {
    return http_request(port, "GET", path, "", {{"Cookie", cookie}});
}

HttpResult StaffSession::send(const std::string& method, const std::string& path,
                              const json::value& body,
                              std::map<std::string, std::string> headers) const {
    headers.emplace("Cookie", cookie);
    headers.emplace("X-CSRF-Token", csrf);
    return http_request(port, method, path, json::serialize(body), headers);
}

TestCampaign::TestCampaign(EngineConfig config, const CampaignLaunch& launch)
    : config_(std::move(config)), outbox_(dir_.path() + "/outbox.jsonl") {
    if (launch.redis != TestRedis::none) {
        redis_ = std::make_unique<RedisServer>(dir_.path() + "/redis", 0,
                                               launch.redis == TestRedis::aof_always);
    }
    // In production budgetd refuses an open Redis: lock it down as an operator would, with the
    // password budgetctl makes into the data directory and the ACL line it prints.
    if (redis_ && (config_.redis_acl || config_.production)) {
        const auto config = write_config();
        auto [code, out] = run_command(std::string(BUDGETCTL_PATH) + " --config " + config +
                                       " keys redis-password");
        const auto at = out.find("user ");
        if (code != 0 || at == std::string::npos)
            throw std::runtime_error("budgetctl keys redis-password failed: " + out);
        auto line = out.substr(at);
        line = line.substr(0, line.find('\n'));
        redis_->lock_down(line);
    }
    if (!launch.ballot.empty()) seal(launch.ballot);
    if (launch.start_budgetd) start(launch.budgetd_env);
}

RedisServer& TestCampaign::redis() {
    if (!redis_) throw std::logic_error("this test campaign started no redis-server");
    return *redis_;
}

Budgetd& TestCampaign::budgetd() {
    if (!budgetd_) throw std::logic_error("budgetd is not running");
    return *budgetd_;
}

std::string TestCampaign::config_toml() const { return toml_for(dir() + "/data"); }

std::string TestCampaign::toml_for(const std::string& data_dir) const {
    const auto& c = config_;
    const auto line = [](const std::string& key, const auto& value) {
        return key + " = " + value + "\n";
    };
    const auto quoted = [](const std::string& text) { return "\"" + text + "\""; };
    const auto number = [](std::int64_t n) { return std::to_string(n); };

    std::string toml = "[server]\n" + line("listen", quoted("127.0.0.1:" + number(c.port)));
    if (c.production) toml += line("production", std::string("true"));
    toml += c.server_lines;

    if (!c.tls_cert_file.empty()) {
        toml += "[tls]\n" + line("cert_file", quoted(c.tls_cert_file)) +
                line("key_file", quoted(c.tls_key_file)) + c.tls_lines;
    }

    toml += "[redis]\n";
    if (c.embedded_redis) {
        toml += line("embedded", std::string("true"));
    } else if (!c.cluster_ports.empty()) {
        std::string seeds;
        for (const int port : c.cluster_ports)
            seeds += (seeds.empty() ? "" : ", ") + quoted("127.0.0.1:" + number(port));
        toml += line("cluster", "[" + seeds + "]");
    } else if (redis_) {
        toml += line("url", quoted(redis_->url()));
    }
    if (c.command_timeout_ms) toml += line("command_timeout_ms", number(c.command_timeout_ms));
    if (c.ballot_shards) toml += line("ballot_shards", number(c.ballot_shards));
    if (c.wait_replicas) toml += line("wait_replicas", number(c.wait_replicas));
    if (c.wait_timeout_ms) toml += line("wait_timeout_ms", number(c.wait_timeout_ms));

    toml += "[storage]\n" + line("data_dir", quoted(data_dir));

    if (!c.campaign.empty()) {
        toml += "[campaign]\n" + line("id", quoted(c.campaign));
        if (c.window) {
            toml += line("vote_opens", quoted(c.window->opens)) +
                    line("vote_closes", quoted(c.window->closes));
        }
        if (c.envelope_eur) toml += line("envelope_eur", number(c.envelope_eur));
        if (c.tree_head_interval_s)
            toml += line("tree_head_interval_s", number(c.tree_head_interval_s));
    }

    toml += "[otp]\n";
    if (c.smtp_port) {
        toml += line("delivery", quoted("smtp")) + line("smtp_port", number(c.smtp_port));
    } else {
        toml += line("delivery", quoted("outbox")) + line("outbox", quoted(outbox_));
    }
    toml += c.otp_lines;
    // Production requires the controller's facts (GDPR article 13): a test deployment's.
    if (c.production) {
        toml += "[privacy]\n" + line("controller", quoted("Département de test")) +
                line("contact_email", quoted("donnees@test.example")) +
                line("dpo_contact", quoted("dpd@test.example"));
    }
    return toml;
}

std::string TestCampaign::write_config(const std::string& file) const {
    auto path = dir() + "/" + file;
    std::ofstream(path) << config_toml();
    return path;
}

void TestCampaign::seal(const std::vector<TestInitiative>& initiatives) const {
    seal_ballot(dir(), config_toml(), test_ballot_document(config_.campaign, initiatives));
}

void TestCampaign::start(const std::vector<std::string>& env) {
    budgetd_.reset();
    budgetd_ = std::make_unique<Budgetd>(dir(), config_toml(), env);
}

void TestCampaign::restart(VoteWindow window) {
    config_.window = std::move(window);
    start();
}

void TestCampaign::stop() { budgetd_.reset(); }

std::unique_ptr<Budgetd> TestCampaign::start_peer(const std::string& name) const {
    const auto peer_dir = dir() + "/" + name;
    return std::make_unique<Budgetd>(peer_dir, toml_for(peer_dir + "/data"));
}

std::pair<int, std::string> TestCampaign::start_expecting_exit() const {
    return run_budgetd_expecting_exit(dir(), config_toml());
}

HttpResult TestCampaign::challenge(const std::string& email) {
    return http_request(port(), "POST", "/api/v1/auth/challenge",
                        json::serialize(json::object{{"email", email}}));
}

HttpResult TestCampaign::verify(const Resident& who, const std::string& code) {
    return http_request(port(), "POST", "/api/v1/auth/verify",
                        json::serialize(json::object{{"email", who.email},
                                                     {"code", code},
                                                     {"first_name", who.first_name},
                                                     {"last_name", who.last_name},
                                                     {"birth_date", who.birth_date},
                                                     {"commune", who.commune}}));
}

std::string TestCampaign::last_code(const std::string& email) const {
    return last_outbox_code(outbox_, email);
}

std::string TestCampaign::verify_resident(const Resident& who, HttpResult* failure) {
    REQUIRE(challenge(who.email).status == 202);
    const auto r = verify(who, last_code(who.email));
    if (r.status != 200) {
        if (failure) *failure = r;
        return "";
    }
    return std::string(json::parse(r.body).at("token").as_string());
}

HttpResult TestCampaign::cast(const std::string& token, const std::string& body,
                              const std::string& idempotency_key) {
    std::map<std::string, std::string> headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    if (!idempotency_key.empty()) headers.emplace("Idempotency-Key", idempotency_key);
    return http_request(port(), "POST", "/api/v1/ballots", body, headers);
}

std::string TestCampaign::vote(const Resident& who, const std::vector<std::string>& choices) {
    HttpResult refused;
    const auto token = verify_resident(who, &refused);
    INFO(refused.body);
    REQUIRE(!token.empty());
    const auto cast_answer = cast(
        token,
        json::serialize(json::object{{"choices", json::array(choices.begin(), choices.end())}}));
    INFO(cast_answer.body);
    REQUIRE(cast_answer.status == 201);
    return std::string(json::parse(cast_answer.body).at("receipt").at("ballot_id").as_string());
}

void TestCampaign::add_staff(const std::string& role, const std::string& username,
                             const std::string& password, bool replace) const {
    const auto [code, out] =
        run_command("printf '%s\\n' '" + password + "' | " BUDGETCTL_PATH " --config " +
                    config_path() + " user add " + (replace ? "--replace " : "") + "--role " +
                    role + " --username " + username);
    INFO(out);
    REQUIRE(code == 0);
}

HttpResult TestCampaign::staff_login_request(const std::string& username,
                                             const std::string& password,
                                             const std::map<std::string, std::string>& headers) {
    json::object body{{"username", username}, {"password", password}};
    return http_request(port(), "POST", "/api/v1/admin/login", json::serialize(body), headers);
}

StaffSession TestCampaign::staff_login(const std::string& username, const std::string& password) {
    const auto r = staff_login_request(username, password);
    INFO(r.body);
    REQUIRE(r.status == 200);
    const auto& set_cookie = r.headers.at("set-cookie");
    return {port(), set_cookie.substr(0, set_cookie.find(';')),
            std::string(json::parse(r.body).at("csrf_token").as_string())};
}

StaffSession TestCampaign::staff_login(const std::string& role) {
    add_staff(role, role + "user", kStaffPassword, /*replace=*/true);
    return staff_login(role + "user", kStaffPassword);
}

}  // namespace budget::test
