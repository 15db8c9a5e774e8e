#pragma once
// One fixture for the tests that spawn a campaign: a temporary directory, a redis-server, a
// configuration written from named options, the keys, a sealed test ballot and budgetd; then
// residents verified through the outbox and staff accounts made with budgetctl, as an operator
// would. Tests pick values; the steps live here.

#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tests/server/support/process_support.hpp"

namespace budget::test {

/// A vote window as the config writes it (RFC 3339).
struct VoteWindow {
    std::string opens;
    std::string closes;

    /// From `opens_in_s` to `closes_in_s` seconds from now (negative: in the past).
    static VoteWindow relative(std::int64_t opens_in_s, std::int64_t closes_in_s);
    /// Between two instants, seconds since the epoch.
    static VoteWindow between(std::int64_t opens_unix, std::int64_t closes_unix);
};

/// The configuration of a test campaign, as named options. A key is written only when a test
/// sets it; otherwise budgetd's own default holds. Paths (data_dir, outbox) and the Redis URL
/// come from the fixture.
struct EngineConfig {
    // [server]
    int port = 0;  ///< listen on 127.0.0.1:port; 0: a free port, read from budgetd's log
    bool production = false;
    std::string server_lines{};  ///< more [server] lines, as TOML ("read_timeout_ms = 600\n")
    // [tls]: written when tls_cert_file is set
    std::string tls_cert_file{};
    std::string tls_key_file{};
    std::string tls_lines{};
    // [redis]: the fixture's redis-server, unless these say otherwise
    std::vector<int> cluster_ports{};  ///< seed nodes of a Redis Cluster on 127.0.0.1
    /// The fixture's redis-server locked down as in a deployment (also with `production`):
    /// budgetd's ACL user from `budgetctl keys redis-password`, the default user off.
    bool redis_acl = false;
    bool embedded_redis = false;
    int command_timeout_ms = 0;
    int ballot_shards = 0;
    int wait_replicas = 0;
    int wait_timeout_ms = 0;
    // [campaign]: no section when `campaign` is empty
    std::string campaign = "t";
    std::optional<VoteWindow> window = VoteWindow::relative(-86400, 86400);
    std::int64_t envelope_eur = 0;
    int tree_head_interval_s = 0;
    // [otp]: codes in an outbox file of the test directory, or by SMTP to 127.0.0.1:smtp_port
    int smtp_port = 0;
    std::string otp_lines{};  ///< more [otp] lines ("max_requests_per_ip_hour = 5\n")
};

/// Which Redis a TestCampaign starts.
enum class TestRedis {
    aof_always,  ///< durable: appendonly yes, appendfsync always
    plain,       ///< no persistence
    none,        ///< the test brings its own (a cluster) or budgetd embeds one
};

/// What a TestCampaign does at construction, after Redis is up.
struct CampaignLaunch {
    TestRedis redis = TestRedis::aof_always;
    /// Sealed with `budgetctl storage seal-ballot` before budgetd starts; nothing when empty.
    std::vector<TestInitiative> ballot{};
    bool start_budgetd = true;               ///< false: the test calls start() itself, or never
    std::vector<std::string> budgetd_env{};  ///< NAME=VALUE for budgetd only (libfaketime's)
};

/// A resident as the verification form names them.
struct Resident {
    std::string email;
    std::string first_name;
    std::string last_name;
    std::string birth_date = "1980-05-17";
    std::string commune = "62041";
};

/// A logged-in staff member: the session cookie, and the CSRF token sent with writes.
struct StaffSession {
    int port = 0;
    std::string cookie;
    std::string csrf;

    /// Cookie and X-CSRF-Token, for http_request.
    std::map<std::string, std::string> headers() const;
    HttpResult get(const std::string& path) const;
    HttpResult send(const std::string& method, const std::string& path,
                    const boost::json::value& body,
                    std::map<std::string, std::string> headers = {}) const;
};

/// The password of the accounts made by TestCampaign::staff_login(role).
inline constexpr const char* kStaffPassword = "correct horse battery staple";

/// A campaign's processes for one test, stopped and removed at destruction.
class TestCampaign {
  public:
    explicit TestCampaign(EngineConfig config = {}, const CampaignLaunch& launch = {});
    TestCampaign(const TestCampaign&) = delete;
    TestCampaign& operator=(const TestCampaign&) = delete;

    const std::string& dir() const { return dir_.path(); }
    /// The options; a change takes effect at the next write_config() or start().
    EngineConfig& config() { return config_; }
    /// The config as TOML, for this test directory and Redis.
    std::string config_toml() const;
    /// Writes config_toml() to dir()/`file` and returns its path (for budgetctl --config).
    std::string write_config(const std::string& file = "budget.toml") const;
    std::string config_path() const { return dir() + "/budget.toml"; }
    const std::string& outbox() const { return outbox_; }

    RedisServer& redis();
    Budgetd& budgetd();
    int port() { return budgetd().port(); }

    /// Writes the config, makes the keys and seals `initiatives` (before budgetd starts).
    void seal(const std::vector<TestInitiative>& initiatives) const;
    /// Starts budgetd on the current config, stopping the one running first: Redis, the data
    /// directory and the keys are kept, as in an operator's restart.
    void start(const std::vector<std::string>& env = {});
    void restart() { start(); }
    /// Restarts budgetd with the vote window changed (to close the vote, say).
    void restart(VoteWindow window);
    /// SIGTERM to budgetd and wait (nothing when it is not running).
    void stop();
    /// Another budgetd on the same Redis and config, in dir()/`name` with its own data
    /// directory, hence its own keys.
    std::unique_ptr<Budgetd> start_peer(const std::string& name) const;
    /// budgetd on the current config, expected to refuse it: {exit code, stderr}.
    std::pair<int, std::string> start_expecting_exit() const;

    // --- residents (codes read from the outbox) ------------------------------------------------
    HttpResult challenge(const std::string& email);
    HttpResult verify(const Resident& who, const std::string& code);
    /// The newest code written to the outbox for `email`, or "".
    std::string last_code(const std::string& email) const;
    /// Challenge (REQUIRE 202), code from the outbox, verify: the bearer token, or "" when the
    /// verification is refused, its answer then in `failure`.
    std::string verify_resident(const Resident& who, HttpResult* failure = nullptr);
    /// POST /api/v1/ballots with the token (none when empty) and the Idempotency-Key if given.
    HttpResult cast(const std::string& token, const std::string& body,
                    const std::string& idempotency_key = "");
    /// A verified resident casts `choices`; REQUIREs every step. The receipt's ballot id.
    std::string vote(const Resident& who, const std::vector<std::string>& choices);

    // --- staff (accounts made with budgetctl user add) ----------------------------------------
    void add_staff(const std::string& role, const std::string& username,
                   const std::string& password, bool replace = false) const;
    HttpResult staff_login_request(const std::string& username, const std::string& password,
                                   const std::map<std::string, std::string>& headers = {});
    /// Logs in (REQUIRE 200) and keeps the session cookie and CSRF token.
    StaffSession staff_login(const std::string& username, const std::string& password);
    /// The account `<role>user` (made or replaced, password kStaffPassword), logged in.
    StaffSession staff_login(const std::string& role);

  private:
    std::string toml_for(const std::string& data_dir) const;

    TempDir dir_;
    EngineConfig config_;
    std::string outbox_;
    std::unique_ptr<RedisServer> redis_;
    std::unique_ptr<Budgetd> budgetd_;  // last: stopped first, while Redis is still there
};

}  // namespace budget::test
