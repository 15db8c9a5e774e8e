// Fuzz target: a pabulib approval instance as `budgetctl allocate --pabulib` reads it
// (voting::read_pabulib). An accepted file must survive write_pabulib and a second read
// unchanged, and every allocation rule must stay within the budget, fund only projects with
// votes, and account for its total.

#include <algorithm>
#include <set>
#include <sstream>
#include <string>

#include "tests/fuzz/fuzz_support.hpp"
#include "voting/allocation.hpp"
#include "voting/pabulib.hpp"

using namespace budget;

namespace {

void check_allocation(const voting::PabulibInstance& instance, voting::Rule rule) {
    const auto a = voting::allocate(rule, instance.projects, instance.ballots, instance.budget);
    if (!a) return;
    std::int64_t total = 0;
    std::set<std::string> selected;
    for (const auto& id : a->selected) {
        FUZZ_CHECK(selected.insert(id).second, "a project is funded twice");
        const auto it = std::find_if(instance.projects.begin(), instance.projects.end(),
                                     [&](const voting::Project& p) { return p.id == id; });
        FUZZ_CHECK(it != instance.projects.end(), "an unknown project is funded");
        total += it->cost;
    }
    FUZZ_CHECK(total == a->total_cost, "total_cost is not the sum of the funded costs");
    FUZZ_CHECK(a->total_cost <= instance.budget, "the allocation overspends the budget");
    FUZZ_CHECK(a->decisions.size() == instance.projects.size(), "one decision per project");
    for (const auto& d : a->decisions) {
        FUZZ_CHECK(!(d.funded && d.votes == 0), "a project without votes is funded");
        FUZZ_CHECK(d.funded == (selected.count(d.id) == 1), "decision and selection disagree");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::istringstream in{std::string(fuzz::as_text(data, size))};
    const auto read = voting::read_pabulib(in);
    if (!read) {
        FUZZ_CHECK(!read.error().message.empty(), "a refusal without a message");
        return 0;
    }
    const auto& instance = *read;
    FUZZ_CHECK(instance.ballots.size() == instance.voter_ids.size(), "voters and ballots differ");
    for (const auto& ballot : instance.ballots) {
        for (const auto p : ballot)
            FUZZ_CHECK(p < instance.projects.size(), "a vote past the projects");
    }

    std::ostringstream out;
    voting::write_pabulib(out, instance);
    std::istringstream again(out.str());
    const auto reread = voting::read_pabulib(again);
    FUZZ_CHECK(reread.has_value(), "write_pabulib wrote a file read_pabulib refuses");
    // The writer restates budget, num_projects, num_votes and vote_type; everything else is kept.
    auto same_but_derived_meta = *reread;
    same_but_derived_meta.meta = instance.meta;
    FUZZ_CHECK(same_but_derived_meta == instance,
               "projects or votes changed through write and read");
    const auto is_derived = [](const std::string& key) {
        return key == "budget" || key == "num_projects" || key == "num_votes" || key == "vote_type";
    };
    std::vector<std::pair<std::string, std::string>> kept_before, kept_after;
    for (const auto& kv : instance.meta)
        if (!is_derived(kv.first)) kept_before.push_back(kv);
    for (const auto& kv : reread->meta)
        if (!is_derived(kv.first)) kept_after.push_back(kv);
    FUZZ_CHECK(kept_before == kept_after, "META entries changed through write and read");
    std::ostringstream out2;
    voting::write_pabulib(out2, *reread);
    FUZZ_CHECK(out2.str() == out.str(), "write_pabulib is not stable on its own output");

    // Allocation rules on small instances (the equal-shares rules are exact, hence slow on big
    // ones). The add1 rules raise every share 1 euro per MES run: up to (largest cost - initial
    // share) runs, so they are left out where that is more than a few hundred.
    if (instance.projects.size() <= 40 && instance.ballots.size() <= 200) {
        for (const auto rule :
             {voting::Rule::greedy, voting::Rule::greedy_territorial, voting::Rule::mes}) {
            check_allocation(instance, rule);
        }
        std::int64_t largest = 0;
        for (const auto& p : instance.projects) largest = std::max(largest, p.cost);
        const auto voters =
            static_cast<std::int64_t>(std::max<std::size_t>(1, instance.ballots.size()));
        if (instance.budget >= 0 && largest - instance.budget / voters <= 300) {
            check_allocation(instance, voting::Rule::mes_add1);
            check_allocation(instance, voting::Rule::mes_completed);
        }
    }
    return 0;
}
