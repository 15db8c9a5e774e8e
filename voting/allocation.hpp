#pragma once
// Allocation rules: which initiatives are funded under the envelope, and why each one is or is not.
// Money is integer euros; the equal-shares rules compute with exact rationals.

#include <boost/system/result.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "voting/counts.hpp"

namespace budget::voting {

/// An initiative on the ballot as the allocation rules see it.
struct Project {
    std::string id;
    std::int64_t cost = 0;  ///< euros: the request already capped by the category maximum
    std::string territory;  ///< empty when unknown; used by greedy-territorial only

    bool operator==(const Project&) const = default;
};

/// The allocation rules of API.md.
enum class Rule {
    greedy,              ///< most votes first, each funded if it still fits
    greedy_territorial,  ///< the best fitting initiative of each territory first, then greedy
    mes,                 ///< Method of Equal Shares, cost utilities
    mes_add1,            ///< MES with each voter's share raised 1 euro per step (pabulib/README)
    mes_completed,       ///< mes-add1, then greedy on what is left of the envelope
};

/// The rule named as in API.md ("greedy", "greedy-territorial", "mes", "mes-add1",
/// "mes-completed"), or nullopt.
std::optional<Rule> parse_rule(std::string_view name);

/// The API.md name of a rule.
std::string_view rule_name(Rule rule);

/// Why an initiative is funded or not.
enum class Reason {
    funded_most_votes,         ///< greedy: its turn by votes came and it fitted
    funded_territory_best,     ///< greedy-territorial: best fitting initiative of its territory
    funded_equal_shares,       ///< MES: its supporters could pay for it from their equal shares
    funded_completion,         ///< mes-completed: greedy on what MES left, and it fitted
    zero_votes,                ///< nobody approved it: never funded
    exceeds_envelope,          ///< it costs more than the whole envelope
    does_not_fit,              ///< it costs more than what was left when its turn came
    supporters_cannot_afford,  ///< MES: its supporters' remaining shares could not pay for it
};

/// Stable snake_case code of a reason, for documents and JSON.
std::string_view reason_code(Reason reason);

/// The outcome for one initiative, with what explains it.
struct Decision {
    std::string id;
    std::int64_t cost = 0;
    std::uint64_t votes = 0;
    bool funded = false;
    Reason reason = Reason::zero_votes;
    /// Order of funding (1 = first); 0 when not funded.
    std::size_t rank = 0;
    /// Envelope left just before this initiative was funded or turned down (greedy decisions);
    /// for MES decisions, the envelope left at the end of MES.
    std::int64_t remaining_envelope = 0;
    /// MES only: the most any supporter paid for it, in euros (rounded for display; the rule
    /// itself is exact).
    double max_share_eur = 0.0;
};

/// The result of a rule.
struct Allocation {
    Rule rule = Rule::greedy;
    std::int64_t budget = 0;
    std::vector<std::string> selected;  ///< funded initiative ids, in funding order
    std::int64_t total_cost = 0;
    std::vector<Decision> decisions;  ///< one per initiative, in input order
    std::string tie_break;            ///< the tie-break applied, in words
    /// MES rules: each voter's initial share, in euros (rounded for display), for the outcome
    /// kept; for mes-add1 and mes-completed, budget / voters + increase_steps.
    double voter_share_eur = 0.0;
    std::uint64_t increase_steps = 0;  ///< mes-add1 and mes-completed: 1-euro raises applied
};

/// Why an allocation cannot be computed.
enum class AllocationError {
    negative_budget = 1,
    negative_cost,
    duplicate_project_id,
    unknown_project,   ///< a ballot names an index past the list of initiatives
    duplicate_choice,  ///< a ballot names the same initiative twice
};

/// Short English description of an allocation error.
const char* describe(AllocationError error);

/// Lets boost::system::result<T, AllocationError>::value() throw std::invalid_argument.
[[noreturn]] void throw_exception_from_error(AllocationError error,
                                             const boost::source_location& location);

/// Orders initiative ids for tie-breaks: ids made only of digits come first, in numeric order;
/// the others follow in byte order. Returns <0, 0 or >0.
int compare_ids(std::string_view a, std::string_view b);

/// Runs `rule` on the initiatives, the approval ballots (indices into `projects`) and the envelope.
/// Initiatives nobody approved are never funded. Ties are broken by fewer euros first, then by
/// compare_ids.
boost::system::result<Allocation, AllocationError> allocate(Rule rule,
                                                            std::span<const Project> projects,
                                                            std::span<const ApprovalBallot> ballots,
                                                            std::int64_t budget);

}  // namespace budget::voting
