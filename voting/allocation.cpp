#include "voting/allocation.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_set>

#include "voting/detail/equal_shares.hpp"

namespace budget::voting {
namespace {

using detail::Rational;

constexpr std::string_view kGreedyTieBreak =
    "most votes first; equal votes: fewer euros first, then identifier (numeric identifiers in "
    "numeric order before the others in byte order)";
constexpr std::string_view kEqualSharesTieBreak =
    "lowest price per euro of utility first; equal prices: fewer euros first, then identifier "
    "(numeric identifiers in numeric order before the others in byte order)";

bool all_digits(std::string_view id) {
    return !id.empty() &&
           std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Everything a rule needs about the election, computed once.
struct Election {
    std::span<const Project> projects;
    std::span<const ApprovalBallot> ballots;
    std::int64_t budget = 0;
    std::vector<std::uint64_t> votes;
    std::vector<std::size_t> tie_rank;      // position in (cost, id) order
    std::vector<std::size_t> greedy_order;  // most votes first, then tie_rank
};

Election prepare(std::span<const Project> projects, std::span<const ApprovalBallot> ballots,
                 std::int64_t budget, std::vector<std::uint64_t> votes) {
    Election election{projects, ballots, budget, std::move(votes), {}, {}};
    std::vector<std::size_t> by_tie(projects.size());
    std::iota(by_tie.begin(), by_tie.end(), std::size_t{0});
    std::sort(by_tie.begin(), by_tie.end(), [&](std::size_t a, std::size_t b) {
        if (projects[a].cost != projects[b].cost) return projects[a].cost < projects[b].cost;
        return compare_ids(projects[a].id, projects[b].id) < 0;
    });
    election.tie_rank.resize(projects.size());
    for (std::size_t r = 0; r < by_tie.size(); ++r) election.tie_rank[by_tie[r]] = r;
    election.greedy_order = by_tie;
    std::stable_sort(
        election.greedy_order.begin(), election.greedy_order.end(),
        [&](std::size_t a, std::size_t b) { return election.votes[a] > election.votes[b]; });
    return election;
}

Allocation empty_allocation(Rule rule, const Election& election) {
    Allocation allocation;
    allocation.rule = rule;
    allocation.budget = election.budget;
    allocation.decisions.reserve(election.projects.size());
    for (std::size_t p = 0; p < election.projects.size(); ++p) {
        Decision decision;
        decision.id = election.projects[p].id;
        decision.cost = election.projects[p].cost;
        decision.votes = election.votes[p];
        allocation.decisions.push_back(std::move(decision));
    }
    return allocation;
}

void fund(Allocation& allocation, std::size_t p, Reason reason) {
    Decision& decision = allocation.decisions[p];
    decision.remaining_envelope = allocation.budget - allocation.total_cost;
    decision.funded = true;
    decision.reason = reason;
    decision.rank = allocation.selected.size() + 1;
    allocation.selected.push_back(decision.id);
    allocation.total_cost += decision.cost;
}

// Greedy over the projects not yet decided, in greedy order, on what is left of the envelope.
void complete_greedily(Allocation& allocation, const Election& election, Reason funded_reason) {
    for (const std::size_t p : election.greedy_order) {
        Decision& decision = allocation.decisions[p];
        if (decision.funded) continue;
        const std::int64_t remaining = allocation.budget - allocation.total_cost;
        if (decision.votes == 0) {
            decision.reason = Reason::zero_votes;
            decision.remaining_envelope = remaining;
        } else if (decision.cost > allocation.budget) {
            decision.reason = Reason::exceeds_envelope;
            decision.remaining_envelope = remaining;
        } else if (decision.cost > remaining) {
            decision.reason = Reason::does_not_fit;
            decision.remaining_envelope = remaining;
        } else {
            fund(allocation, p, funded_reason);
        }
    }
}

void allocate_territorial(Allocation& allocation, const Election& election) {
    // Territories are served in the order of their best initiative, so the most supported
    // territory winner is never crowded out by a less supported one.
    std::unordered_set<std::string> served;
    for (const std::size_t p : election.greedy_order) {
        const Project& project = election.projects[p];
        if (project.territory.empty() || served.contains(project.territory)) continue;
        if (election.votes[p] == 0) continue;
        if (project.cost > allocation.budget - allocation.total_cost) continue;
        served.insert(project.territory);
        fund(allocation, p, Reason::funded_territory_best);
    }
    complete_greedily(allocation, election, Reason::funded_most_votes);
}

// Records an MES outcome and explains the projects it left out.
void apply_equal_shares(Allocation& allocation, const Election& election,
                        const detail::EqualSharesOutcome& outcome) {
    for (std::size_t i = 0; i < outcome.funded.size(); ++i) {
        fund(allocation, outcome.funded[i], Reason::funded_equal_shares);
        allocation.decisions[outcome.funded[i]].max_share_eur = outcome.max_share[i];
    }
    const std::int64_t remaining = allocation.budget - allocation.total_cost;
    for (std::size_t p = 0; p < election.projects.size(); ++p) {
        Decision& decision = allocation.decisions[p];
        if (decision.funded) continue;
        decision.remaining_envelope = remaining;
        if (decision.votes == 0) {
            decision.reason = Reason::zero_votes;
        } else if (decision.cost > allocation.budget) {
            decision.reason = Reason::exceeds_envelope;
        } else {
            decision.reason = Reason::supporters_cannot_afford;
        }
    }
}

bool leaves_no_room(const Election& election, const detail::EqualSharesOutcome& outcome) {
    std::vector<bool> funded(election.projects.size(), false);
    for (const std::size_t p : outcome.funded) funded[p] = true;
    const std::int64_t remaining = election.budget - outcome.total_cost;
    for (std::size_t p = 0; p < election.projects.size(); ++p) {
        if (!funded[p] && election.votes[p] > 0 && election.projects[p].cost <= remaining) {
            return false;
        }
    }
    return true;
}

// Supporter entries (distinct ballots times their length) from which an MES run takes long
// enough (milliseconds) to hand even the first one to a thread.
constexpr std::size_t kLargeElection = 50000;

// One MES run per 1-euro raise of the shares, k = 1, 2, ...: handed out in order to worker
// threads, `chunk` consecutive steps at a time (short runs would otherwise spend more time handing
// over than computing), each thread with its own copy of the prepared MES, at most a few chunks
// ahead of the step the caller is waiting for. The runs are independent and exact, so the
// outcomes are those of running them one after the other; only the time differs.
class ParallelRaises {
  public:
    // Steps from `first` on (0: the initial share itself).
    ParallelRaises(const detail::EqualShares& mes, const Rational& share, unsigned workers,
                   std::uint64_t chunk, std::uint64_t first)
        : share_(share), chunk_(chunk), window_(2 * workers * chunk), next_(first), taken_(first) {
        threads_.reserve(workers);
        for (unsigned t = 0; t < workers; ++t) {
            threads_.emplace_back(
                [this, copy = detail::EqualShares(mes)]() mutable { work(copy); });
        }
    }

    ParallelRaises(const ParallelRaises&) = delete;
    ParallelRaises& operator=(const ParallelRaises&) = delete;

    ~ParallelRaises() {
        {
            const std::lock_guard lock(mutex_);
            stop_ = true;
        }
        stopping_.store(true);
        changed_.notify_all();
        for (std::thread& thread : threads_) thread.join();
    }

    // The outcome of step k (k = first, first + 1, ... in turn).
    detail::EqualSharesOutcome take(std::uint64_t k) {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return failure_ || done_.contains(k); });
        if (failure_) std::rethrow_exception(failure_);
        detail::EqualSharesOutcome outcome = std::move(done_.at(k));
        done_.erase(k);
        taken_ = k;
        lock.unlock();
        changed_.notify_all();
        return outcome;
    }

  private:
    void work(detail::EqualShares& mes) {
        std::vector<std::pair<std::uint64_t, detail::EqualSharesOutcome>> results;
        while (true) {
            std::uint64_t first = 0;
            {
                std::unique_lock lock(mutex_);
                changed_.wait(lock, [&] { return stop_ || next_ <= taken_ + window_; });
                if (stop_) return;
                first = next_;
                next_ += chunk_;
            }
            results.clear();
            try {
                for (std::uint64_t k = first; k < first + chunk_ && !stopping_.load(); ++k) {
                    results.emplace_back(k, mes.run(share_ + k));
                }
                const std::lock_guard lock(mutex_);
                for (auto& [k, outcome] : results) done_.emplace(k, std::move(outcome));
            } catch (...) {
                const std::lock_guard lock(mutex_);
                failure_ = std::current_exception();
                stop_ = true;
            }
            changed_.notify_all();
        }
    }

    const Rational share_;
    const std::uint64_t chunk_;
    const std::uint64_t window_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::atomic<bool> stopping_{false};  // read between runs, without the lock
    std::uint64_t next_;                 // first step of the next chunk to hand out
    std::uint64_t taken_;  // last step the caller took (at the start: none, window counted from it)
    bool stop_ = false;
    std::exception_ptr failure_;
    std::map<std::uint64_t, detail::EqualSharesOutcome> done_;
    std::vector<std::thread> threads_;
};

void allocate_equal_shares(Allocation& allocation, const Election& election, bool add1) {
    const std::uint64_t voters = election.ballots.size();
    if (voters == 0) {
        apply_equal_shares(allocation, election, {});
        return;
    }
    detail::EqualShares mes(election.projects, election.ballots, election.votes, election.tie_rank);
    const Rational initial_share(election.budget, static_cast<std::int64_t>(voters));
    // mes-add1 runs MES once per step: unless the runs are tiny, they go to two threads, in
    // chunks of about 200 microseconds. A large election (many distinct ballots, long ones) gives
    // them its very first run too; the others time it first to choose.
    const unsigned workers = add1 ? std::min(2U, std::thread::hardware_concurrency()) : 1U;
    std::optional<ParallelRaises> parallel;
    detail::EqualSharesOutcome outcome;
    auto run_time = std::chrono::steady_clock::duration::zero();
    if (workers >= 2 && mes.supporter_entries() >= kLargeElection) {
        parallel.emplace(mes, initial_share, workers, 1, 0);
        outcome = parallel->take(0);
    } else {
        const auto started = std::chrono::steady_clock::now();
        outcome = mes.run(initial_share);
        run_time = std::chrono::steady_clock::now() - started;
    }
    std::uint64_t steps = 0;
    if (add1 && !leaves_no_room(election, outcome)) {
        // pabutools' exhaustion by budget increase: raise every share by 1 euro until the outcome
        // leaves no room for another approved project (keep it) or overspends the real envelope
        // (keep the previous one). Each raise adds `voters` euros, so this always ends.
        if (!parallel && workers >= 2 && run_time > std::chrono::microseconds(20)) {
            const auto per_chunk = std::chrono::microseconds(200) / run_time;
            const auto chunk = static_cast<std::uint64_t>(std::clamp<std::int64_t>(
                static_cast<std::int64_t>(per_chunk), std::int64_t{1}, std::int64_t{64}));
            parallel.emplace(mes, initial_share, workers, chunk, 1);
        }
        while (true) {
            const std::uint64_t k = steps + 1;
            detail::EqualSharesOutcome next =
                parallel ? parallel->take(k) : mes.run(initial_share + k);
            if (next.total_cost > election.budget) break;
            outcome = std::move(next);
            steps = k;
            if (leaves_no_room(election, outcome)) break;
        }
    }
    allocation.voter_share_eur = (initial_share + steps).convert_to<double>();
    allocation.increase_steps = steps;
    apply_equal_shares(allocation, election, outcome);
}

AllocationError to_allocation_error(BallotError error) {
    return error == BallotError::unknown_project ? AllocationError::unknown_project
                                                 : AllocationError::duplicate_choice;
}

}  // namespace

std::optional<Rule> parse_rule(std::string_view name) {
    for (const Rule rule :
         {Rule::greedy, Rule::greedy_territorial, Rule::mes, Rule::mes_add1, Rule::mes_completed}) {
        if (rule_name(rule) == name) return rule;
    }
    return std::nullopt;
}

std::string_view rule_name(Rule rule) {
    switch (rule) {
        case Rule::greedy:
            return "greedy";
        case Rule::greedy_territorial:
            return "greedy-territorial";
        case Rule::mes:
            return "mes";
        case Rule::mes_add1:
            return "mes-add1";
        case Rule::mes_completed:
            return "mes-completed";
    }
    return "unknown";
}

std::string_view reason_code(Reason reason) {
    switch (reason) {
        case Reason::funded_most_votes:
            return "funded_most_votes";
        case Reason::funded_territory_best:
            return "funded_territory_best";
        case Reason::funded_equal_shares:
            return "funded_equal_shares";
        case Reason::funded_completion:
            return "funded_completion";
        case Reason::zero_votes:
            return "zero_votes";
        case Reason::exceeds_envelope:
            return "exceeds_envelope";
        case Reason::does_not_fit:
            return "does_not_fit";
        case Reason::supporters_cannot_afford:
            return "supporters_cannot_afford";
    }
    return "unknown";
}

const char* describe(AllocationError error) {
    switch (error) {
        case AllocationError::negative_budget:
            return "the envelope is negative";
        case AllocationError::negative_cost:
            return "an initiative has a negative cost";
        case AllocationError::duplicate_project_id:
            return "two initiatives share an identifier";
        case AllocationError::unknown_project:
            return "a ballot names an unknown initiative";
        case AllocationError::duplicate_choice:
            return "a ballot names the same initiative twice";
    }
    return "invalid allocation input";
}

void throw_exception_from_error(AllocationError error, const boost::source_location&) {
    throw std::invalid_argument(describe(error));
}

int compare_ids(std::string_view a, std::string_view b) {
    const bool a_numeric = all_digits(a);
    const bool b_numeric = all_digits(b);
    if (a_numeric != b_numeric) return a_numeric ? -1 : 1;
    if (a_numeric) {
        // Compare digit strings as numbers of any length: fewer significant digits is smaller.
        const std::string_view a_digits = a.substr(std::min(a.find_first_not_of('0'), a.size()));
        const std::string_view b_digits = b.substr(std::min(b.find_first_not_of('0'), b.size()));
        if (a_digits.size() != b_digits.size()) return a_digits.size() < b_digits.size() ? -1 : 1;
        if (const int order = a_digits.compare(b_digits); order != 0) return order < 0 ? -1 : 1;
    }
    const int order = a.compare(b);
    return order < 0 ? -1 : (order > 0 ? 1 : 0);
}

boost::system::result<Allocation, AllocationError> allocate(Rule rule,
                                                            std::span<const Project> projects,
                                                            std::span<const ApprovalBallot> ballots,
                                                            std::int64_t budget) {
    if (budget < 0) return AllocationError::negative_budget;
    std::unordered_set<std::string_view> ids;
    for (const Project& project : projects) {
        if (project.cost < 0) return AllocationError::negative_cost;
        if (!ids.insert(project.id).second) return AllocationError::duplicate_project_id;
    }
    auto votes = count_approvals(projects.size(), ballots);
    if (!votes) return to_allocation_error(votes.error().error);

    const Election election = prepare(projects, ballots, budget, std::move(*votes));
    Allocation allocation = empty_allocation(rule, election);
    switch (rule) {
        case Rule::greedy:
            allocation.tie_break = kGreedyTieBreak;
            complete_greedily(allocation, election, Reason::funded_most_votes);
            break;
        case Rule::greedy_territorial:
            allocation.tie_break = kGreedyTieBreak;
            allocate_territorial(allocation, election);
            break;
        case Rule::mes:
            allocation.tie_break = kEqualSharesTieBreak;
            allocate_equal_shares(allocation, election, false);
            break;
        case Rule::mes_add1:
            allocation.tie_break = kEqualSharesTieBreak;
            allocate_equal_shares(allocation, election, true);
            break;
        case Rule::mes_completed:
            allocation.tie_break =
                std::string(kEqualSharesTieBreak) + "; then " + std::string(kGreedyTieBreak);
            allocate_equal_shares(allocation, election, true);
            complete_greedily(allocation, election, Reason::funded_completion);
            break;
    }
    return allocation;
}

}  // namespace budget::voting
