#pragma once
// Fault injection (issue 7): a real redis-server (AOF, fsync always) and a real budgetd on
// loopback, residents who verified their email beforehand, and a stream of votes cast while a
// fault is injected. Afterwards the outcome is checked against Redis and printed:
// acknowledged ballots vs ballots found in the log.

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/server/support/campaign_fixture.hpp"

namespace budget::faults {

using Clock = std::chrono::steady_clock;

/// One HTTP request that never throws: status 0 when no answer came (refused, reset, cut).
test::HttpResult call(int port, const std::string& method, const std::string& target,
                      const std::string& body = "",
                      const std::map<std::string, std::string>& headers = {});

/// A resident with a voter session.
struct Voter {
    std::string email;
    std::string token;
    std::vector<std::string> choices;
};

/// The test campaign (Redis with AOF always, a sealed ballot of initiatives a, b, c, d) with
/// budgetd on a fixed port, so that a restarted budgetd answers where clients already connect.
class Bench {
  public:
    /// `extra_server` is appended to the [server] table (timeouts for the slowloris run).
    explicit Bench(std::string extra_server = "");

    int port() const { return port_; }
    test::RedisServer& redis() { return campaign_.redis(); }
    const std::string& dir() const { return campaign_.dir(); }

    /// kill -9, then waits until the process is gone (no clean shutdown of any kind).
    void kill_budgetd();
    void start_budgetd();
    /// The pid of redis-server (for SIGSTOP / SIGCONT).
    int redis_pid();

    /// `count` new residents (names made from `tag`), each with a code from the outbox and a
    /// verified session. Fails the test if one cannot log in.
    std::vector<Voter> login(int count, const std::string& tag);

    /// True once GET /api/v1/health answers 200 within `timeout`; `elapsed` is how long it took.
    bool wait_healthy(std::chrono::milliseconds timeout,
                      std::chrono::milliseconds* elapsed = nullptr) const;

  private:
    int port_;
    test::TestCampaign campaign_;
};

/// What happened to one resident's ballot, from the client side.
struct VoteRecord {
    int final_status = 0;  ///< 201, 409, another refusal, or 0 when the client gave up
    int receipts = 0;      ///< 201 answers received (must never exceed 1)
    bool uncertain =
        false;              ///< an attempt ended without an answer or with 503 before the final one
    std::string ballot_id;  ///< from the receipt
    std::string ballot_hash;
};

/// A 201 with the times its request was sent and its answer received.
struct Acknowledgement {
    Clock::time_point sent, received;
};

/// Workers casting the voters' ballots, each retrying after 503 or no answer (as the web page
/// does) until a definite answer or `give_up_after`. A share of residents try a second ballot
/// once the first is acknowledged (it must be refused).
class VoteStream {
  public:
    VoteStream(int port, std::vector<Voter> voters, int workers, std::chrono::milliseconds pacing,
               std::chrono::milliseconds give_up_after = std::chrono::seconds(40));
    ~VoteStream();
    void join();
    /// Ballots answered so far (201 or 409), to time the fault "in the middle".
    int settled() const { return settled_.load(); }

    const std::vector<Voter>& voters() const { return voters_; }
    const std::vector<VoteRecord>& records() const { return records_; }
    std::vector<Acknowledgement> acknowledgements() const;
    std::map<int, int> statuses() const;  ///< every answer of every attempt, by status
    std::vector<double> latencies_ms() const;

  private:
    void work();

    int port_;
    std::vector<Voter> voters_;
    std::vector<VoteRecord> records_;
    std::chrono::milliseconds pacing_, give_up_after_;
    std::atomic<std::size_t> next_{0};
    std::atomic<int> settled_{0};
    mutable std::mutex mutex_;
    std::vector<Acknowledgement> acks_;
    std::map<int, int> statuses_;
    std::vector<double> latencies_;
    std::vector<std::thread> threads_;
};

/// `count` connections that each send one byte of a request header per second, reopened as
/// soon as the server cuts them, until stop().
class Slowloris {
  public:
    Slowloris(int port, int count);
    ~Slowloris();
    void stop();
    int target() const { return count_; }
    int opened() const { return opened_.load(); }
    int cut_by_server() const { return cut_.load(); }

  private:
    void run();
    int open_one();

    int port_, count_;
    std::atomic<bool> stopping_{false};
    std::atomic<int> opened_{0}, cut_{0};
    std::thread thread_;
};

/// The outcome checked in Redis against what the clients were told.
struct Outcome {
    std::size_t voters = 0, acknowledged = 0, in_log = 0, missing = 0, duplicate_ids = 0;
    std::size_t voted_keys = 0, receipts_hash = 0, stats_total = 0;
    std::size_t double_receipts = 0;  ///< residents with two 201s
    std::size_t stored_unacknowledged =
        0;  ///< in the log, never acknowledged (uncertain, then 409)
    std::size_t conflicts_without_receipt = 0, gave_up = 0;
    std::map<int, int> statuses;
};

/// Reads the log, voted markers, receipts and stats; prints one line for `scenario`.
Outcome check_outcome(Bench& bench, const VoteStream& stream, const std::string& scenario);

/// Acknowledgements whose request was sent after `from` and answered before `to`.
std::size_t acknowledged_within(const VoteStream& stream, Clock::time_point from,
                                Clock::time_point to);

}  // namespace budget::faults
