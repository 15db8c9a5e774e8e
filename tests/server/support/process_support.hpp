#pragma once
// Real processes for integration tests: a redis-server on a free loopback port in a temporary
// directory, and a budgetd started from a config text. Both are stopped by their destructors.

#include <sys/types.h>

#include <boost/beast/http.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace budget::test {

/// A temporary directory, removed with everything in it at destruction.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

/// Seconds since the epoch, now.
std::int64_t now_unix();
/// "2026-09-01T00:00:00Z" for a config's vote window.
std::string rfc3339_utc(std::int64_t unix);

/// A port that was free a moment ago on 127.0.0.1.
int free_port();

class RedisServer {
  public:
    /// Starts redis-server on 127.0.0.1:`port` (a free one when 0) with its data in `dir`;
    /// `extra` arguments go to redis-server as they are.
    explicit RedisServer(std::string dir, int port = 0, bool aof_always = false,
                         std::vector<std::string> extra = {});
    ~RedisServer();
    void start();
    void stop();  ///< SIGTERM and wait
    void kill();  ///< SIGKILL and wait
    int port() const { return port_; }
    std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
    /// Runs redis-cli with arguments and returns its output (trimmed); as the administrator
    /// once the server is locked down.
    std::string cli(const std::string& args) const;
    /// What an operator does (docs/deploy.md, "Authentication"): applies `acl_line` ("user NAME
    /// RULES...", as `budgetctl keys redis-password` prints it), adds an administrator for cli()
    /// and turns the default user off. In memory: lost when the server restarts.
    void lock_down(const std::string& acl_line);

  private:
    std::string dir_;
    int port_;
    bool aof_always_;
    std::vector<std::string> extra_;
    pid_t pid_ = -1;
    std::string cli_auth_;  ///< redis-cli options of the administrator, once locked down
};

/// A Redis Cluster on loopback: `masters` masters with `replicas_per_master` replicas each,
/// created with `redis-cli --cluster create`, AOF always, node timeout 1 s (fast failovers).
class RedisCluster {
  public:
    RedisCluster(const std::string& dir, int masters, int replicas_per_master);
    /// Every node, in creation order (redis-cli makes the first `masters` ones the masters).
    std::vector<std::unique_ptr<RedisServer>>& nodes() { return nodes_; }
    std::vector<int> ports() const;
    /// The port of the master serving `slot` now (asked to a live node).
    int master_of_slot(int slot) const;
    /// The node id of the node on `port`.
    std::string node_id(int port) const;
    /// Waits until every live node reports cluster_state:ok.
    bool wait_ok(std::chrono::milliseconds timeout) const;
    RedisServer* node_on(int port);

  private:
    std::vector<std::unique_ptr<RedisServer>> nodes_;
};

class Budgetd {
  public:
    /// Writes `config_toml` to `dir`/budget.toml and starts budgetd on it. The config should
    /// listen on port 0; the real port is read from the "listening" log line.
    /// `env` holds extra NAME=VALUE pairs (e.g. libfaketime's) for budgetd's process only.
    Budgetd(std::string dir, const std::string& config_toml,
            const std::vector<std::string>& env = {});
    ~Budgetd();
    int port() const { return port_; }
    /// SIGTERM, then waits; returns the exit status.
    int terminate();
    /// Everything budgetd wrote on stderr so far.
    std::string log() const;
    pid_t pid() const { return pid_; }
    /// When the process was started (a fake clock given through `env` starts about then).
    std::chrono::steady_clock::time_point spawned_at() const { return spawned_at_; }

  private:
    std::string dir_;
    pid_t pid_ = -1;
    int port_ = 0;
    std::chrono::steady_clock::time_point spawned_at_;
};

/// Any other program run for a test (an SMTP sink...), killed at destruction.
class ChildProcess {
  public:
    ChildProcess(const std::vector<std::string>& args, const std::string& log_path);
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

  private:
    pid_t pid_ = -1;
};

/// A test initiative of a sealed ballot (Arras, category and amounts as given).
struct TestInitiative {
    std::string id;
    std::int64_t amount_eur = 4000;
    std::string category = "pratique_ess";
    std::string title{};  ///< "Initiative <id>" when empty
};
/// The canonical document of a sealed ballot holding `initiatives`, for campaign `campaign`.
std::string test_ballot_document(const std::string& campaign,
                                 const std::vector<TestInitiative>& initiatives);
/// Seals `document` as the campaign's ballot the way an operator would for a load test:
/// writes `config_toml` to `dir`/budget.toml, makes the keys (budgetctl keys init) and runs
/// `budgetctl storage seal-ballot` (the document signed with the campaign key). Throws on
/// failure.
void seal_ballot(const std::string& dir, const std::string& config_toml,
                 const std::string& document);

/// Runs budgetd on a config and returns {exit code, stderr} (for configs that must be refused).
std::pair<int, std::string> run_budgetd_expecting_exit(const std::string& dir,
                                                       const std::string& config_toml);

/// Runs a program with arguments (through /bin/sh) and returns {exit code, stdout+stderr}.
std::pair<int, std::string> run_command(const std::string& command);

struct HttpResult {
    int status = 0;
    std::string body;
    std::map<std::string, std::string> headers;  ///< lower-case names
};

/// One HTTP/1.1 request on a new connection.
HttpResult http_request(int port, const std::string& method, const std::string& target,
                        const std::string& body = "",
                        const std::map<std::string, std::string>& headers = {});

/// Sends raw bytes on a new connection and reads until the server closes or `timeout` passes.
/// Returns what was received and whether the server closed the connection.
struct RawResult {
    std::string received;
    bool closed_by_server = false;
    std::chrono::milliseconds elapsed{0};
};
RawResult raw_exchange(int port, const std::string& bytes, std::chrono::milliseconds timeout);

/// Connections to 127.0.0.1:`port` that the server listening there has accepted and still holds
/// open (from the kernel's table: one in the accept queue is not counted).
int accepted_connections(int port);

/// The last one-time code written for `email` in an outbox file (budgetd's [otp] outbox), or "".
std::string last_outbox_code(const std::string& outbox, const std::string& email);

/// Polls until `predicate` holds or `timeout` passes.
template <typename Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (predicate()) return true;
        // The poll interval: the predicate is asked again 20 ms later, not before.
        struct timespec ts {
            0, 20'000'000
        };
        nanosleep(&ts, nullptr);
    }
    return predicate();
}

}  // namespace budget::test
