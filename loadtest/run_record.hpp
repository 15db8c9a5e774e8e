#pragma once
// Everything a load run observed: per-step latencies and statuses, the refusals that were not the
// expected ones, and the receipts, which the outcome check later looks for in Redis.

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "loadtest/histogram.hpp"

namespace budget::loadtest {

using Clock = std::chrono::steady_clock;

enum class Step {
    connect,           ///< TCP connection set-up (no request), on first use or after a close
    challenge,         ///< POST /api/v1/auth/challenge, expect 202
    code_wait,         ///< from the 202 to the code showing in the outbox (no request)
    verify_wrong,      ///< POST /api/v1/auth/verify with a wrong code, expect 401 invalid_code
    verify,            ///< POST /api/v1/auth/verify, expect 200 and a token
    fetch_ballot,      ///< GET /api/v1/initiatives (informative, any status)
    ballot_invalid,    ///< POST /api/v1/ballots naming an unknown id, expect 422 invalid_choices
    ballot,            ///< POST /api/v1/ballots, expect 201 and a receipt
    ballot_duplicate,  ///< the same session votes again, expect 409 already_voted
};
inline constexpr std::size_t kStepCount = 9;
std::string_view step_name(Step s);

struct StepStats {
    LatencyHistogram latency;
    std::map<int, std::uint64_t> statuses;  ///< 0: no answer
    std::optional<Clock::time_point> first_start;
    Clock::time_point last_end{};
    std::uint64_t count() const { return latency.count(); }
    /// Completed per second over the span from the first start to the last end.
    double throughput() const;
};

struct Receipt {
    std::string ballot_id, ballot_hash;
    std::vector<std::string> choices;  ///< sorted, as sent
    int resident = 0;
};

struct UnexpectedAnswer {
    std::uint64_t count = 0;
    std::string example;  ///< the first body (or transport error) seen
};

class RunRecord {
  public:
    /// Records one answered (or failed) request. `expected_code` empty: any error code. Returns
    /// whether the answer was the expected one. `expected_status` 0: anything goes.
    bool record(Step step, Clock::time_point start, int status, const std::string& body,
                const std::string& transport_error, int expected_status,
                const std::string& expected_code);
    /// Records a duration with no HTTP status (connect, code wait): succeeded or not.
    void record_wait(Step step, Clock::time_point start, bool found);

    void add_receipt(Receipt r);

    std::array<StepStats, kStepCount> steps;
    /// (step, status, error code) -> how often and an example.
    std::map<std::tuple<Step, int, std::string>, UnexpectedAnswer> unexpected;
    std::vector<Receipt> receipts;
    std::set<int> residents_with_receipt;
    std::uint64_t double_receipts = 0;  ///< a resident given a second receipt
    std::uint64_t ballots_unknown = 0;  ///< ballot requests without a clear answer (none, 5xx)
    std::uint64_t ballot_retries = 0;   ///< ballots sent again after an unclear answer
    std::uint64_t transport_errors = 0;
    std::uint64_t server_unavailable = 0;  ///< 503 answers
    std::uint64_t codes_missing = 0;
    std::uint64_t residents_done = 0, residents_abandoned = 0;
    Clock::time_point started{}, finished{};

    /// ballots-only mode: the timed phase.
    struct BallotPhase {
        std::uint64_t ballots = 0;
        double seconds = 0;
        int connections = 0;
    };
    std::optional<BallotPhase> ballot_phase;
    double prepare_seconds = 0;
};

/// The error code of an API error body ({"error":{"code"}}), or "".
std::string error_code_of(const std::string& body);

void print_report(std::ostream& out, const RunRecord& record);

}  // namespace budget::loadtest
