#include "voting/detail/equal_shares.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>

#include "voting/detail/view_index.hpp"

namespace budget::voting::detail {
namespace {

constexpr std::uint32_t kNoClass = std::numeric_limits<std::uint32_t>::max();
constexpr std::uint32_t kEmptyClass = 0;
constexpr std::uint32_t kInitialClass = 1;

// Rounding of one double operation, relative, with a factor of safety.
constexpr double kRounding = 4.0 * std::numeric_limits<double>::epsilon();
// Extra relative margin below which two values are never told apart by their doubles: it costs
// an exact computation now and then, and covers any slip in the error bookkeeping.
constexpr double kSlack = 1e-12;

double to_double(const Rational& value) { return value.convert_to<double>(); }

// -1 or 1 when the intervals [a +- a_error] and [b +- b_error] settle the order of a and b, 0 when
// they do not.
int settled_order(double a, double a_error, double b, double b_error) {
    const double margin = a_error + b_error + kSlack * std::max(std::fabs(a), std::fabs(b));
    if (a + margin < b) return -1;
    if (b + margin < a) return 1;
    return 0;
}

}  // namespace

EqualShares::EqualShares(std::span<const Project> projects, std::span<const ApprovalBallot> ballots,
                         std::span<const std::uint64_t> votes,
                         std::span<const std::size_t> tie_rank, Arithmetic arithmetic)
    : exact_only_(arithmetic == Arithmetic::exact),
      votes_(votes.begin(), votes.end()),
      tie_rank_(tie_rank.begin(), tie_rank.end()),
      supporters_(projects.size()) {
    cost_.reserve(projects.size());
    for (const Project& project : projects) cost_.push_back(project.cost);

    // Identical ballots (as sets) form one weighted group, numbered in order of first appearance.
    // Each ballot is sorted once into one flat buffer; groups are found by hashing its bytes.
    std::vector<std::uint32_t> flat;
    std::vector<std::size_t> start(ballots.size() + 1, 0);
    for (std::size_t b = 0; b < ballots.size(); ++b) {
        start[b] = flat.size();
        for (const std::size_t p : ballots[b]) flat.push_back(static_cast<std::uint32_t>(p));
        std::sort(flat.begin() + static_cast<std::ptrdiff_t>(start[b]), flat.end());
    }
    start[ballots.size()] = flat.size();
    ViewIndex group_of(ballots.size());
    for (std::size_t b = 0; b < ballots.size(); ++b) {
        if (start[b] == start[b + 1]) continue;  // holds a share but never pays: irrelevant to MES
        const std::string_view key(reinterpret_cast<const char*>(flat.data() + start[b]),
                                   (start[b + 1] - start[b]) * sizeof(std::uint32_t));
        const auto [group, inserted] =
            group_of.try_emplace(key, static_cast<std::uint32_t>(weight_.size()));
        if (inserted) {
            weight_.push_back(0);
            for (std::size_t i = start[b]; i < start[b + 1]; ++i) {
                supporters_[flat[i]].push_back(group);
            }
        }
        ++weight_[group];
    }
    class_of_.assign(weight_.size(), kInitialClass);
    std::size_t most_supporters = 0;
    for (const auto& groups : supporters_)
        most_supporters = std::max(most_supporters, groups.size());
    gather_buffer_.resize(most_supporters);
}

std::size_t EqualShares::supporter_entries() const {
    std::size_t entries = 0;
    for (const auto& groups : supporters_) entries += groups.size();
    return entries;
}

const Rational& EqualShares::exact_value(std::uint32_t c) {
    if (!classes_[c].exact) {
        const std::uint32_t parent = classes_[c].parent;
        const std::uint32_t payment = classes_[c].payment;
        Rational value = exact_value(parent) - exact_alpha(payments_[payment]);
        classes_[c].exact = std::move(value);
    }
    return *classes_[c].exact;
}

const Rational& EqualShares::exact_alpha(Evaluation& evaluation) {
    if (!evaluation.exact_alpha) {
        Rational due = evaluation.cost;
        for (const auto& [c, w] : evaluation.poor) due -= exact_value(c) * w;
        due /= evaluation.payers;
        evaluation.exact_alpha = std::move(due);
    }
    return *evaluation.exact_alpha;
}

// Raw pointers in the loops below: they run millions of times per election and must stay fast in
// unoptimised (Debug) builds too.
void EqualShares::gather(std::size_t p) {
    const std::uint32_t* group = supporters_[p].data();
    const std::uint32_t* const end = group + supporters_[p].size();
    const std::uint32_t* class_of = class_of_.data();
    const std::uint64_t* weight = weight_.data();
    std::uint64_t* scratch = scratch_weight_.data();
    std::uint32_t* touched = gather_buffer_.data();  // sized for the most supported project
    std::size_t count = 0;
    // Without a branch: whether a class is new among the supporters is unpredictable.
    for (; group != end; ++group) {
        const std::uint32_t c = class_of[*group];
        touched[count] = c;
        count += static_cast<std::size_t>(scratch[c] == 0);
        scratch[c] += weight[*group];
    }
    touched_.assign(touched, touched + count);
}

void EqualShares::release_gathered() {
    std::uint64_t* scratch = scratch_weight_.data();
    for (const std::uint32_t c : touched_) scratch[c] = 0;
}

// Solves sum(min(budget, alpha)) = cost over the supporters in doubles: start from an equal split,
// let every class that cannot pay it give everything, split what is still due among the others,
// and repeat until nobody new falls short. Gives up (false) when the doubles and their error
// bounds cannot certify every class as clearly poorer or clearly richer than the split, or the
// supporters as clearly short of the cost; no sorting, as this runs for most evaluations.
bool EqualShares::evaluate_approximately(std::size_t p, Evaluation& evaluation) {
    gather(p);
    evaluation = Evaluation{};
    evaluation.cost = cost_[p];
    const std::size_t count = touched_.size();
    // The supporters' classes side by side (budget, weight), so that the loops below read memory
    // in order and decide without branches: they are most of the time of mes-add1.
    touched_approx_.resize(count);
    touched_error_.resize(count);
    touched_weight_.resize(count);
    poor_flag_.assign(count, 0);
    const std::uint32_t* touched = touched_.data();
    double* approx = touched_approx_.data();
    double* error = touched_error_.data();
    double* weight = touched_weight_.data();
    unsigned char* poor = poor_flag_.data();
    {
        const std::uint64_t* weights = scratch_weight_.data();
        const ClassValue* values = values_.data();
        for (std::size_t i = 0; i < count; ++i) {
            const std::uint32_t c = touched[i];
            approx[i] = values[c].approx;
            error[i] = values[c].error;
            weight[i] = static_cast<double>(weights[c]);
        }
    }
    release_gathered();

    const auto cost = static_cast<double>(cost_[p]);
    double due = cost;
    // Voter counts are far below 2^53: exact in doubles.
    auto payers = static_cast<double>(votes_[p]);
    for (std::size_t i = 0; i < count; ++i) {
        if (touched[i] == kEmptyClass) {
            payers -= weight[i];
            poor[i] = 1;
        }
    }
    bool affordable = payers > 0;
    while (affordable) {
        const double alpha = due / payers;
        unsigned char changed = 0;
        for (std::size_t i = 0; i < count; ++i) {
            const unsigned char newly = static_cast<unsigned char>(poor[i] == 0) &
                                        static_cast<unsigned char>(approx[i] < alpha);
            poor[i] |= newly;
            due -= newly != 0 ? approx[i] * weight[i] : 0.0;
            payers -= newly != 0 ? weight[i] : 0.0;
            changed |= newly;
        }
        if (changed == 0) break;
        affordable = payers > 0 && due > 0.0;
    }

    bool settled = true;
    if (!affordable) {
        // Certify that all the supporters' budgets together fall short of the cost.
        double total = 0.0;
        double total_error = 0.0;
        for (std::size_t i = 0; i < count; ++i) {
            const double given = approx[i] * weight[i];
            total += given;
            total_error +=
                error[i] * weight[i] + std::fabs(given) * kRounding + std::fabs(total) * kRounding;
        }
        settled = settled_order(total, total_error, cost, 0.0) < 0;
    } else {
        // Recompute what is due from the final poor set, with its error bound.
        due = cost;
        double due_error = 0.0;
        for (std::size_t i = 0; i < count; ++i) {
            const std::uint32_t c = touched[i];
            if (poor[i] == 0 || c == kEmptyClass) continue;
            const double given = approx[i] * weight[i];
            due -= given;
            due_error +=
                error[i] * weight[i] + std::fabs(given) * kRounding + std::fabs(due) * kRounding;
            evaluation.poor.emplace_back(c, static_cast<std::uint64_t>(weight[i]));
        }
        evaluation.payers = static_cast<std::uint64_t>(payers);
        evaluation.alpha = due / payers;
        evaluation.error = due_error / payers + std::fabs(evaluation.alpha) * kRounding;
        // Every class must sit clearly on its side of alpha (the empty class is poor for sure).
        const double alpha = evaluation.alpha;
        const double alpha_error = evaluation.error;
        unsigned char wrong_side = 0;
        for (std::size_t i = 0; i < count; ++i) {
            if (touched[i] == kEmptyClass) continue;
            const int order = settled_order(approx[i], error[i], alpha, alpha_error);
            wrong_side |= static_cast<unsigned char>(poor[i] != 0 ? order >= 0 : order <= 0);
        }
        settled = wrong_side == 0;
    }
    if (!settled) return false;
    evaluation.affordable = affordable;
    if (affordable && evaluation.poor.empty()) {
        evaluation.exact_alpha =
            Rational(evaluation.cost, static_cast<std::int64_t>(evaluation.payers));
    }
    return true;
}

void EqualShares::evaluate_exactly(std::size_t p, Evaluation& evaluation) {
    gather(p);
    for (const std::uint32_t c : touched_) exact_value(c);
    std::sort(touched_.begin(), touched_.end(), [this](std::uint32_t a, std::uint32_t b) {
        const ClassValue& x = values_[a];
        const ClassValue& y = values_[b];
        const int order = settled_order(x.approx, x.error, y.approx, y.error);
        return order != 0 && !exact_only_ ? order < 0 : *classes_[a].exact < *classes_[b].exact;
    });
    evaluation = Evaluation{};
    evaluation.cost = cost_[p];
    Rational due = cost_[p];
    std::uint64_t payers = votes_[p];
    for (const std::uint32_t c : touched_) {
        const std::uint64_t w = scratch_weight_[c];
        if (c == kEmptyClass) {
            payers -= w;
            continue;
        }
        const Rational& value = *classes_[c].exact;
        if (value * payers >= due) {
            evaluation.affordable = true;
            break;
        }
        due -= value * w;
        payers -= w;
        evaluation.poor.emplace_back(c, w);
    }
    release_gathered();
    if (!evaluation.affordable) return;
    evaluation.payers = payers;
    Rational alpha = due / payers;
    evaluation.alpha = to_double(alpha);
    evaluation.error = std::fabs(evaluation.alpha) * kRounding;
    evaluation.exact_alpha = std::move(alpha);
}

// Orders two affordable evaluations by price per euro of utility, alpha / cost.
int EqualShares::compare_prices(Evaluation& a, Evaluation& b) {
    const auto ca = static_cast<double>(a.cost);
    const auto cb = static_cast<double>(b.cost);
    const double left = a.alpha * cb;
    const double right = b.alpha * ca;
    const int order = settled_order(left, a.error * cb + std::fabs(left) * kRounding, right,
                                    b.error * ca + std::fabs(right) * kRounding);
    if (order != 0 && !exact_only_) return order;
    const Rational exact_left = exact_alpha(a) * b.cost;
    const Rational exact_right = exact_alpha(b) * a.cost;
    return exact_left < exact_right ? -1 : (exact_right < exact_left ? 1 : 0);
}

void EqualShares::pay(std::size_t p, Evaluation& evaluation) {
    const auto payment = static_cast<std::uint32_t>(payments_.size());
    payments_.push_back(std::move(evaluation));
    gather(p);
    for (const auto& [c, w] : payments_[payment].poor) scratch_remap_[c] = kEmptyClass;
    scratch_remap_[kEmptyClass] = kEmptyClass;
    for (const std::uint32_t c : touched_) {
        if (scratch_remap_[c] != kNoClass) continue;
        // A richer class pays alpha and keeps the rest, which may be exactly nothing.
        const Evaluation& paid = payments_[payment];
        const double left = values_[c].approx - paid.alpha;
        const double left_error = values_[c].error + paid.error + std::fabs(left) * kRounding;
        std::uint32_t next = kEmptyClass;
        if (!exact_only_ && settled_order(0.0, 0.0, left, left_error) < 0) {
            next = static_cast<std::uint32_t>(classes_.size());
            classes_.push_back(BudgetClass{c, payment, std::nullopt});
            values_.push_back(ClassValue{left, left_error});
        } else {
            Rational exact_left = exact_value(c) - exact_alpha(payments_[payment]);
            if (exact_left != 0) {
                const double approx = to_double(exact_left);
                next = static_cast<std::uint32_t>(classes_.size());
                classes_.push_back(BudgetClass{c, payment, std::move(exact_left)});
                values_.push_back(ClassValue{approx, std::fabs(approx) * kRounding});
            }
        }
        scratch_remap_[c] = next;
    }
    std::uint32_t* class_of = class_of_.data();
    const std::uint32_t* remap = scratch_remap_.data();
    for (const std::uint32_t g : supporters_[p]) class_of[g] = remap[class_of[g]];
    for (const std::uint32_t c : touched_) scratch_remap_[c] = kNoClass;
    scratch_remap_[kEmptyClass] = kNoClass;
    release_gathered();
    scratch_weight_.resize(classes_.size(), 0);
    scratch_remap_.resize(classes_.size(), kNoClass);
}

EqualSharesOutcome EqualShares::run(const Rational& share) {
    classes_.clear();
    values_.clear();
    payments_.clear();
    classes_.push_back(BudgetClass{kEmptyClass, 0, Rational(0)});
    values_.push_back(ClassValue{0.0, 0.0});
    const double share_approx = to_double(share);
    classes_.push_back(BudgetClass{kEmptyClass, 0, share});
    values_.push_back(ClassValue{share_approx, std::fabs(share_approx) * kRounding});
    std::fill(class_of_.begin(), class_of_.end(), kInitialClass);
    scratch_weight_.assign(classes_.size(), 0);
    scratch_remap_.assign(classes_.size(), kNoClass);

    EqualSharesOutcome outcome;
    std::vector<std::size_t> active;
    // Lower bound of each project's price per euro of utility. Prices only grow as budgets
    // shrink, so a round stops evaluating once the next bound exceeds the best price found.
    std::vector<double> price_floor(cost_.size(), 0.0);
    for (std::size_t p = 0; p < cost_.size(); ++p) {
        if (votes_[p] == 0) continue;
        if (cost_[p] == 0) {
            outcome.funded.push_back(p);
            outcome.max_share.push_back(0.0);
            continue;
        }
        price_floor[p] = (1.0 / static_cast<double>(votes_[p])) * (1.0 - kSlack);
        active.push_back(p);
    }

    std::vector<unsigned char> unaffordable(cost_.size(), 0);
    Evaluation candidate;
    Evaluation best;
    const auto by_floor = [&](std::size_t a, std::size_t b) {
        return price_floor[a] < price_floor[b];
    };
    std::sort(active.begin(), active.end(), by_floor);
    while (!active.empty()) {
        std::size_t best_project = cost_.size();
        double best_ceiling = 0.0;
        std::size_t evaluated = 0;
        for (const std::size_t q : active) {
            if (best_project != cost_.size() && price_floor[q] > best_ceiling) break;
            ++evaluated;
            if (exact_only_ || !evaluate_approximately(q, candidate)) {
                evaluate_exactly(q, candidate);
            }
            if (!candidate.affordable) {
                unaffordable[q] = 1;  // budgets never grow back within a run
                continue;
            }
            const auto cost = static_cast<double>(cost_[q]);
            price_floor[q] = (candidate.alpha - candidate.error) / cost * (1.0 - kSlack);
            bool better = best_project == cost_.size();
            if (!better) {
                const int order = compare_prices(candidate, best);
                better = order < 0 || (order == 0 && tie_rank_[q] < tie_rank_[best_project]);
            }
            if (better) {
                best_project = q;
                best_ceiling = (candidate.alpha + candidate.error) / cost * (1.0 + kSlack);
                std::swap(best, candidate);
            }
        }
        // Only the evaluated prefix changed its floors: re-sort it and merge, rather than sorting
        // every project every round.
        const auto evaluated_end = active.begin() + static_cast<std::ptrdiff_t>(evaluated);
        std::sort(active.begin(), evaluated_end, by_floor);
        std::inplace_merge(active.begin(), evaluated_end, active.end(), by_floor);
        std::erase_if(active,
                      [&](std::size_t q) { return unaffordable[q] != 0 || q == best_project; });
        if (best_project == cost_.size()) break;
        outcome.funded.push_back(best_project);
        outcome.max_share.push_back(best.alpha);
        outcome.total_cost += cost_[best_project];
        pay(best_project, best);
    }
    return outcome;
}

}  // namespace budget::voting::detail
