// budget-loadtest: plays a vote-day scenario against a running budgetd, reports throughput and
// latency per step, then checks in Redis that every acknowledged ballot is stored exactly once.

#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "loadtest/load_run.hpp"
#include "loadtest/outcome_check.hpp"
#include "loadtest/redis_probe.hpp"
#include "loadtest/scenario.hpp"

namespace {

using namespace budget::loadtest;

constexpr const char* kUsage = R"(usage: budget-loadtest [--scenario FILE] [options]

Plays a scenario against a running budgetd (same machine: codes are read from its outbox file),
prints throughput, latency percentiles and statuses per step, then checks the outcome in Redis.
Exit status: 0 all checks passed, 1 a check failed, 2 bad usage or the engine unusable.

options (each overrides the scenario file):
  --scenario FILE         TOML scenario (see loadtest/scenarios/*.toml)
  --url URL               budgetd, http://host:port
  --outbox FILE           budgetd's [otp] outbox file
  --redis URL             redis://host:port or unix:///path, for the outcome check
  --campaign ID           [campaign] id of budgetd's config
  --choices a,b,c         initiative ids (default: from GET /api/v1/ballot-definition)
  --mode journey|ballots-only
  --residents N           --connections N           --rate PER_SECOND
  --set KEY=VALUE         any scenario key, e.g. --set mix.duplicate=0.1
  --no-check              skip the outcome check in Redis
  --summary FILE          also write key=value figures to FILE (for scripts)
  --receipts FILE         also write the ballot_id of every receipt, one per line
  --quiet                 no progress lines on stderr
)";

struct Options {
    std::optional<std::string> scenario_path;
    std::vector<std::pair<std::string, std::string>> overrides;
    std::string summary_path;
    std::string receipts_path;
    bool quiet = false;
};

Options parse_args(int argc, char** argv) {
    Options o;
    auto value = [&](int& i) -> std::string {
        if (i + 1 >= argc) throw std::runtime_error(std::string(argv[i]) + " needs a value");
        return argv[++i];
    };
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--help" || a == "-h") {
            std::cout << kUsage;
            std::exit(0);
        } else if (a == "--scenario")
            o.scenario_path = value(i);
        else if (a == "--summary")
            o.summary_path = value(i);
        else if (a == "--receipts")
            o.receipts_path = value(i);
        else if (a == "--quiet")
            o.quiet = true;
        else if (a == "--no-check")
            o.overrides.emplace_back("check.enabled", "false");
        else if (a == "--set") {
            const auto kv = value(i);
            const auto eq = kv.find('=');
            if (eq == std::string::npos) throw std::runtime_error("--set needs KEY=VALUE");
            o.overrides.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
        } else if (a.rfind("--", 0) == 0) {
            static const char* kDirect[] = {"url",       "outbox",      "redis",
                                            "campaign",  "choices",     "mode",
                                            "residents", "connections", "rate"};
            bool known = false;
            for (const auto* k : kDirect) {
                if (a.substr(2) == k) {
                    o.overrides.emplace_back(k, value(i));
                    known = true;
                }
            }
            if (!known) throw std::runtime_error("unknown option " + a);
        } else {
            throw std::runtime_error("unexpected argument " + a);
        }
    }
    return o;
}

void write_summary(const std::string& path, const Scenario& s, const RunRecord& r, bool passed,
                   bool checked) {
    std::ofstream out(path);
    const auto& ballot = r.steps[static_cast<std::size_t>(Step::ballot)];
    const auto& h = ballot.latency;
    const double seconds = r.ballot_phase ? r.ballot_phase->seconds : 0.0;
    const double per_s = r.ballot_phase && seconds > 0
                             ? static_cast<double>(r.ballot_phase->ballots) / seconds
                             : ballot.throughput();
    out << "scenario=" << s.name << "\nmode=" << mode_name(s.mode)
        << "\nconnections=" << s.connections << "\nballots=" << ballot.count()
        << "\nreceipts=" << r.receipts.size() << "\nballot_phase_seconds=" << seconds
        << "\nballots_per_s=" << per_s
        << "\nballot_p50_ms=" << static_cast<double>(h.percentile(0.5)) / 1000.0
        << "\nballot_p90_ms=" << static_cast<double>(h.percentile(0.9)) / 1000.0
        << "\nballot_p99_ms=" << static_cast<double>(h.percentile(0.99)) / 1000.0
        << "\nballot_p999_ms=" << static_cast<double>(h.percentile(0.999)) / 1000.0
        << "\nballot_max_ms=" << static_cast<double>(h.max()) / 1000.0
        << "\nchecked=" << (checked ? "yes" : "no") << "\nverdict=" << (passed ? "PASS" : "FAIL")
        << "\n";
}

}  // namespace

int main(int argc, char** argv) {
    Scenario scenario;
    Options options;
    try {
        options = parse_args(argc, argv);
        if (options.scenario_path) scenario = load_scenario(*options.scenario_path);
        for (const auto& [k, v] : options.overrides) apply_override(scenario, k, v);
        validate(scenario);
    } catch (const std::exception& e) {
        std::cerr << "budget-loadtest: " << e.what() << "\n\n" << kUsage;
        return 2;
    }

    try {
        std::optional<RedisProbe> redis;
        LedgerSnapshot before;
        if (scenario.check) {
            redis.emplace(scenario.redis);
            before = redis->snapshot(scenario.campaign, scenario.ballot_shards);
        }
        LoadRun run(scenario, !options.quiet);
        std::printf("budget-loadtest: scenario %s, mode %s, %d residents, %d connections, %s\n",
                    scenario.name.c_str(), std::string(mode_name(scenario.mode)).c_str(),
                    scenario.residents, scenario.connections, scenario.url.c_str());
        std::fflush(stdout);
        const auto record = run.run();
        std::cout << "ballot choices: " << run.choices().size() << " initiatives\n";
        print_report(std::cout, record);
        bool passed = true;
        if (scenario.check) {
            const auto checks = check_outcome(record, scenario, *redis, before);
            passed = print_verdict(std::cout, checks);
        } else {
            passed = print_verdict(std::cout, check_answers(record, scenario));
            std::cout << "(outcome in Redis not checked: --no-check)\n";
        }
        if (!options.summary_path.empty())
            write_summary(options.summary_path, scenario, record, passed, scenario.check);
        if (!options.receipts_path.empty()) {
            // For scripts that look for every acknowledged ballot elsewhere (a tally export).
            std::ofstream receipts(options.receipts_path);
            for (const auto& receipt : record.receipts) receipts << receipt.ballot_id << "\n";
            if (!receipts) throw std::runtime_error("cannot write " + options.receipts_path);
        }
        return passed ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "budget-loadtest: " << e.what() << "\n";
        return 2;
    }
}
