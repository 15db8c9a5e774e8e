#pragma once
// After the load: what the engine stored must match what it acknowledged. Every receipt is in the
// ballot log with its hash and choices; the log holds no ballot nobody can account for; one
// identity, one ballot; every refusal carried the expected code.

#include <ostream>
#include <string>
#include <vector>

#include "loadtest/redis_probe.hpp"
#include "loadtest/run_record.hpp"
#include "loadtest/scenario.hpp"

namespace budget::loadtest {

struct CheckResult {
    std::string name;
    bool passed = false;
    std::string detail;
};

/// Compares the run's record with what Redis holds now, against the snapshot taken before.
std::vector<CheckResult> check_outcome(const RunRecord& record, const Scenario& scenario,
                                       RedisProbe& redis, const LedgerSnapshot& before);

/// Checks that need no Redis (refusal codes, completeness); part of check_outcome too.
std::vector<CheckResult> check_answers(const RunRecord& record, const Scenario& scenario);

/// Prints the checks and the verdict; returns true when all passed.
bool print_verdict(std::ostream& out, const std::vector<CheckResult>& checks);

}  // namespace budget::loadtest
