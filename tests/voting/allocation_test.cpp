#include "voting/allocation.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

using budget::voting::allocate;
using budget::voting::Allocation;
using budget::voting::AllocationError;
using budget::voting::ApprovalBallot;
using budget::voting::compare_ids;
using budget::voting::Decision;
using budget::voting::parse_rule;
using budget::voting::Project;
using budget::voting::Reason;
using budget::voting::Rule;
using budget::voting::rule_name;

namespace {

constexpr Rule kAllRules[] = {Rule::greedy, Rule::greedy_territorial, Rule::mes, Rule::mes_add1,
                              Rule::mes_completed};

Allocation run(Rule rule, const std::vector<Project>& projects,
               const std::vector<ApprovalBallot>& ballots, std::int64_t budget) {
    auto allocation = allocate(rule, projects, ballots, budget);
    REQUIRE(allocation.has_value());
    return *allocation;
}

std::vector<std::string> sorted_selection(const Allocation& allocation) {
    std::vector<std::string> ids = allocation.selected;
    std::sort(ids.begin(), ids.end());
    return ids;
}

const Decision& decision(const Allocation& allocation, const std::string& id) {
    const auto it = std::find_if(allocation.decisions.begin(), allocation.decisions.end(),
                                 [&](const Decision& d) { return d.id == id; });
    REQUIRE(it != allocation.decisions.end());
    return *it;
}

// A (60 euros) approved by three voters, B (40) by two, one voter approving both.
const std::vector<Project> kTwoProjects = {{"A", 60, ""}, {"B", 40, ""}};
const std::vector<ApprovalBallot> kTwoProjectBallots = {{0}, {0}, {0, 1}, {1}};

}  // namespace

TEST_CASE("rule names round-trip and unknown names are refused", "[voting][allocation]") {
    for (const Rule rule : kAllRules) CHECK(parse_rule(rule_name(rule)) == rule);
    CHECK_FALSE(parse_rule("phragmen").has_value());
    CHECK_FALSE(parse_rule("").has_value());
}

TEST_CASE("identifiers order numerically when both are numbers, else by bytes",
          "[voting][allocation]") {
    CHECK(compare_ids("9", "10") < 0);
    CHECK(compare_ids("10", "9") > 0);
    CHECK(compare_ids("007", "7") < 0);  // same number: the bytes decide, never equal
    CHECK(compare_ids("42", "42") == 0);
    CHECK(compare_ids("a", "b") < 0);
    CHECK(compare_ids("L10", "L9") < 0);
    CHECK(compare_ids("10", "1a") < 0);  // numbers before the rest keeps the order transitive
    CHECK(compare_ids("2", "1a") < 0);
}

TEST_CASE("an envelope fitted exactly funds both projects under greedy", "[voting][allocation]") {
    for (const Rule rule : {Rule::greedy, Rule::greedy_territorial}) {
        const Allocation a = run(rule, kTwoProjects, kTwoProjectBallots, 100);
        CHECK(a.selected == std::vector<std::string>{"A", "B"});
        CHECK(a.total_cost == 100);
        CHECK(decision(a, "A").reason == Reason::funded_most_votes);
        CHECK(decision(a, "A").rank == 1);
        CHECK(decision(a, "B").remaining_envelope == 40);
    }
}

TEST_CASE("equal shares funds only what each group of supporters can pay", "[voting][allocation]") {
    // Shares of 25: A's three supporters pay 20 each; B's two then hold 5 + 25 < 40.
    const Allocation a = run(Rule::mes, kTwoProjects, kTwoProjectBallots, 100);
    CHECK(a.selected == std::vector<std::string>{"A"});
    CHECK(a.total_cost == 60);
    CHECK(decision(a, "A").reason == Reason::funded_equal_shares);
    CHECK(decision(a, "A").max_share_eur == Approx(20.0));
    CHECK(decision(a, "B").reason == Reason::supporters_cannot_afford);
    CHECK(a.voter_share_eur == Approx(25.0));
}

TEST_CASE("mes-add1 raises the shares one euro at a time until the envelope is used",
          "[voting][allocation]") {
    // At a share of 30, B's supporters hold 10 + 30 = 40: both fit exactly, the outcome is kept.
    for (const Rule rule : {Rule::mes_add1, Rule::mes_completed}) {
        const Allocation a = run(rule, kTwoProjects, kTwoProjectBallots, 100);
        CHECK(a.selected == std::vector<std::string>{"A", "B"});
        CHECK(a.total_cost == 100);
        CHECK(a.increase_steps == 5);
        CHECK(a.voter_share_eur == Approx(30.0));
        CHECK(decision(a, "B").reason == Reason::funded_equal_shares);
    }
}

TEST_CASE("one euro short of the envelope leaves the second project out", "[voting][allocation]") {
    for (const Rule rule : kAllRules) {
        INFO(rule_name(rule));
        const Allocation a = run(rule, kTwoProjects, kTwoProjectBallots, 99);
        CHECK(a.selected == std::vector<std::string>{"A"});
        CHECK(a.total_cost == 60);
        CHECK_FALSE(decision(a, "B").funded);
        CHECK(decision(a, "B").remaining_envelope == 39);
    }
    CHECK(decision(run(Rule::greedy, kTwoProjects, kTwoProjectBallots, 99), "B").reason ==
          Reason::does_not_fit);
    // B no longer fits whatever the shares: mes-add1 stops at once.
    CHECK(run(Rule::mes_add1, kTwoProjects, kTwoProjectBallots, 99).increase_steps == 0);
}

TEST_CASE("equal votes are broken by fewer euros, then by identifier", "[voting][allocation]") {
    SECTION("greedy prefers the cheaper of two equally supported projects") {
        const std::vector<Project> projects = {{"P", 30, ""}, {"Q", 20, ""}};
        const Allocation a = run(Rule::greedy, projects, {{0, 1}, {0, 1}}, 40);
        CHECK(a.selected == std::vector<std::string>{"Q"});
        CHECK(decision(a, "P").reason == Reason::does_not_fit);
    }
    SECTION("greedy compares numeric identifiers as numbers") {
        const std::vector<Project> projects = {{"10", 30, ""}, {"9", 30, ""}};
        CHECK(run(Rule::greedy, projects, {{0, 1}}, 40).selected == std::vector<std::string>{"9"});
    }
    SECTION("greedy compares other identifiers byte by byte") {
        const std::vector<Project> projects = {{"b", 30, ""}, {"a", 30, ""}};
        CHECK(run(Rule::greedy, projects, {{0, 1}}, 40).selected == std::vector<std::string>{"a"});
    }
    SECTION("equal shares prefers the cheaper of two projects at the same price") {
        // One voter with 10 euros: both cost all of what their supporter would pay per euro.
        const std::vector<Project> projects = {{"P", 10, ""}, {"Q", 9, ""}};
        const Allocation a = run(Rule::mes, projects, {{0, 1}}, 10);
        CHECK(a.selected == std::vector<std::string>{"Q"});
        CHECK(decision(a, "P").reason == Reason::supporters_cannot_afford);
    }
    SECTION("equal shares falls back to the identifier") {
        const std::vector<Project> projects = {{"10", 10, ""}, {"9", 10, ""}};
        CHECK(run(Rule::mes, projects, {{0, 1}}, 10).selected == std::vector<std::string>{"9"});
    }
}

TEST_CASE("a project costing more than the whole envelope is never funded",
          "[voting][allocation]") {
    const std::vector<Project> projects = {{"big", 150, ""}, {"small", 50, ""}};
    const std::vector<ApprovalBallot> ballots = {{0}, {0}, {0, 1}, {0, 1}};
    for (const Rule rule : kAllRules) {
        INFO(rule_name(rule));
        const Allocation a = run(rule, projects, ballots, 100);
        CHECK(a.selected == std::vector<std::string>{"small"});
        CHECK(decision(a, "big").reason == Reason::exceeds_envelope);
    }
}

TEST_CASE("a project nobody approved is never funded", "[voting][allocation]") {
    const std::vector<Project> projects = {{"A", 60, ""}, {"Z", 1, ""}};
    const std::vector<ApprovalBallot> ballots = {{0}, {0}};
    for (const Rule rule : kAllRules) {
        INFO(rule_name(rule));
        const Allocation a = run(rule, projects, ballots, 100);
        CHECK(a.selected == std::vector<std::string>{"A"});
        CHECK(decision(a, "Z").reason == Reason::zero_votes);
        CHECK(decision(a, "Z").votes == 0);
    }
    // The unapproved project does not keep mes-add1 looking for room: A alone is exhaustive.
    CHECK(run(Rule::mes_add1, projects, ballots, 100).increase_steps == 0);
}

TEST_CASE("empty ballots fund nothing but still hold a share", "[voting][allocation]") {
    const std::vector<Project> projects = {{"A", 60, ""}};
    SECTION("only empty ballots, or none") {
        for (const Rule rule : kAllRules) {
            CHECK(run(rule, projects, {{}, {}}, 100).selected.empty());
            CHECK(run(rule, projects, {}, 100).selected.empty());
        }
    }
    SECTION("empty ballots dilute the equal shares") {
        // Three shares of 33.33: A's single supporter cannot pay 60 until raised to 60.33.
        const std::vector<ApprovalBallot> ballots = {{0}, {}, {}};
        CHECK(run(Rule::greedy, projects, ballots, 100).selected == std::vector<std::string>{"A"});
        CHECK(run(Rule::mes, projects, ballots, 100).selected.empty());
        const Allocation a = run(Rule::mes_add1, projects, ballots, 100);
        CHECK(a.selected == std::vector<std::string>{"A"});
        CHECK(a.increase_steps == 27);
    }
}

TEST_CASE("mes-completed spends what equal shares leaves, by votes", "[voting][allocation]") {
    // Whatever mes-add1 funds stays funded, and afterwards no approved project still fits.
    const std::vector<Project> projects = {{"A", 50, ""}, {"B", 30, ""}, {"C", 20, ""}};
    const std::vector<ApprovalBallot> ballots = {{0}, {0}, {0, 1}, {1}, {2}};
    const Allocation add1 = run(Rule::mes_add1, projects, ballots, 100);
    const Allocation completed = run(Rule::mes_completed, projects, ballots, 100);
    for (const std::string& id : add1.selected) {
        CHECK(std::find(completed.selected.begin(), completed.selected.end(), id) !=
              completed.selected.end());
    }
    CHECK(completed.total_cost <= 100);
    CHECK(completed.total_cost >= add1.total_cost);
    for (const Decision& d : completed.decisions) {
        if (!d.funded) CHECK(d.cost > 100 - completed.total_cost);
    }
}

TEST_CASE("greedy-territorial first funds the best fitting project of each territory",
          "[voting][allocation]") {
    SECTION("a less supported territory gets its winner") {
        const std::vector<Project> projects = {
            {"N1", 60, "nord"}, {"N2", 30, "nord"}, {"S1", 40, "sud"}};
        const std::vector<ApprovalBallot> ballots = {{0, 1}, {0, 1}, {0, 1}, {0, 1}, {0}, {2}};
        CHECK(sorted_selection(run(Rule::greedy, projects, ballots, 100)) ==
              std::vector<std::string>{"N1", "N2"});
        const Allocation a = run(Rule::greedy_territorial, projects, ballots, 100);
        CHECK(sorted_selection(a) == std::vector<std::string>{"N1", "S1"});
        CHECK(decision(a, "S1").reason == Reason::funded_territory_best);
        CHECK(decision(a, "N2").reason == Reason::does_not_fit);
    }
    SECTION("when a territory's best does not fit, its next best that fits is taken") {
        const std::vector<Project> projects = {
            {"N1", 60, "nord"}, {"S1", 50, "sud"}, {"S2", 10, "sud"}};
        const std::vector<ApprovalBallot> ballots = {{0}, {0}, {0}, {0}, {0, 1}, {1}, {1}, {2}};
        const Allocation a = run(Rule::greedy_territorial, projects, ballots, 100);
        CHECK(sorted_selection(a) == std::vector<std::string>{"N1", "S2"});
        CHECK(decision(a, "S1").reason == Reason::does_not_fit);
    }
}

TEST_CASE("malformed allocation inputs are refused as values", "[voting][allocation]") {
    CHECK(allocate(Rule::greedy, kTwoProjects, kTwoProjectBallots, -1).error() ==
          AllocationError::negative_budget);
    CHECK(allocate(Rule::greedy, std::vector<Project>{{"A", -5, ""}}, {}, 10).error() ==
          AllocationError::negative_cost);
    CHECK(allocate(Rule::mes, std::vector<Project>{{"A", 5, ""}, {"A", 6, ""}}, {}, 10).error() ==
          AllocationError::duplicate_project_id);
    CHECK(allocate(Rule::mes, kTwoProjects, std::vector<ApprovalBallot>{{0, 2}}, 10).error() ==
          AllocationError::unknown_project);
    CHECK(allocate(Rule::mes, kTwoProjects, std::vector<ApprovalBallot>{{1, 1}}, 10).error() ==
          AllocationError::duplicate_choice);
    CHECK_THROWS_AS(allocate(Rule::greedy, kTwoProjects, kTwoProjectBallots, -1).value(),
                    std::invalid_argument);
}
