#pragma once
// The Method of Equal Shares with cost utilities on approval ballots, exact.
// Internal to voting: allocation.cpp builds the rules of API.md on it.

#include <boost/multiprecision/cpp_int.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "voting/allocation.hpp"

namespace budget::voting::detail {

using Rational = boost::multiprecision::cpp_rational;

/// What one run of MES funded.
struct EqualSharesOutcome {
    std::vector<std::size_t> funded;  ///< project indices, in funding order
    std::vector<double> max_share;    ///< per funded project: the most a supporter paid, euros
    std::int64_t total_cost = 0;
};

/// MES prepared once for an election, then run for any initial share per voter (mes-add1 runs it
/// hundreds of times).
///
/// Exact rationals grow to hundreds of bits within a run, so they are computed only when a
/// decision needs them: every quantity carries a double and a bound on its error, decisions are
/// taken on those when the bounds settle them, and the exact value is rebuilt on demand (from the
/// payments that produced it) when they do not, as for the exact ties that MES meets constantly.
/// Voters with identical ballots are merged into weighted groups, and groups holding the same
/// remaining budget share one "budget class", so evaluations work on few distinct values.
class EqualShares {
  public:
    /// `filtered` takes decisions on doubles when their error bounds settle them; `exact` computes
    /// everything in rationals (slow; kept to cross-check the filter in tests).
    enum class Arithmetic { filtered, exact };

    /// `votes[p]` approvals of project p; `tie_rank[p]` its place in the tie-break order (lower
    /// wins). Ballots must be valid (distinct indices below projects.size()).
    EqualShares(std::span<const Project> projects, std::span<const ApprovalBallot> ballots,
                std::span<const std::uint64_t> votes, std::span<const std::size_t> tie_rank,
                Arithmetic arithmetic = Arithmetic::filtered);

    /// Runs MES where every voter starts with `share` euros. Projects with no approval or an
    /// unaffordable cost are never funded; approved projects costing nothing are funded first.
    EqualSharesOutcome run(const Rational& share);

    /// Entries in the per-project lists of supporting ballot groups: what one evaluation of
    /// every project would go through, a measure of the time a run takes.
    std::size_t supporter_entries() const;

  private:
    using ClassWeights = std::vector<std::pair<std::uint32_t, std::uint64_t>>;

    // A remaining budget shared by some groups: the parent's budget minus one payment.
    struct BudgetClass {
        std::uint32_t parent = 0;
        std::uint32_t payment = 0;
        std::optional<Rational> exact;
    };

    // A budget class's value in doubles, apart from the rest: the evaluations read only this.
    struct ClassValue {
        double approx = 0.0;
        double error = 0.0;  // |exact - approx| <= error
    };

    // How a project would be (or was) paid: the poorer supporters give everything they have, the
    // `payers` others give alpha each, alpha = (cost - what the poorer give) / payers.
    struct Evaluation {
        bool affordable = false;
        std::int64_t cost = 0;
        std::uint64_t payers = 0;
        ClassWeights poor;  // classes giving everything, the empty class left out
        double alpha = 0.0;
        double error = 0.0;
        std::optional<Rational> exact_alpha;
    };

    void gather(std::size_t p);
    void release_gathered();
    bool evaluate_approximately(std::size_t p, Evaluation& evaluation);
    void evaluate_exactly(std::size_t p, Evaluation& evaluation);
    int compare_prices(Evaluation& a, Evaluation& b);
    void pay(std::size_t p, Evaluation& evaluation);
    const Rational& exact_value(std::uint32_t c);
    const Rational& exact_alpha(Evaluation& evaluation);

    bool exact_only_ = false;
    std::vector<std::int64_t> cost_;
    std::vector<std::uint64_t> votes_;
    std::vector<std::size_t> tie_rank_;
    std::vector<std::vector<std::uint32_t>> supporters_;  // groups approving each project
    std::vector<std::uint64_t> weight_;                   // voters per group

    // State of the current run.
    std::vector<BudgetClass> classes_;  // [0] the empty budget, [1] the initial share
    std::vector<ClassValue> values_;    // per class
    std::vector<Evaluation> payments_;
    std::vector<std::uint32_t> class_of_;
    std::vector<std::uint64_t> scratch_weight_;  // per class, zero between uses
    std::vector<std::uint32_t> scratch_remap_;   // per class, kNoClass between uses
    std::vector<std::uint32_t> touched_;         // classes of the gathered supporters
    std::vector<std::uint32_t> gather_buffer_;   // room for them, one per supporting group
    std::vector<unsigned char> poor_flag_;       // per touched class, during an evaluation
    std::vector<double> touched_approx_;         // per touched class, during an evaluation
    std::vector<double> touched_error_;
    std::vector<double> touched_weight_;
};

}  // namespace budget::voting::detail
