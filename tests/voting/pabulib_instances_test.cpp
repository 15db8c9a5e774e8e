// The allocation rules on real elections from pabulib: the reference answers where there are
// some, invariants everywhere, and the exactness of the fast equal-shares arithmetic.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "server/programs/budgetctl_allocate.hpp"
#include "voting/allocation.hpp"
#include "voting/detail/equal_shares.hpp"
#include "voting/pabulib.hpp"

namespace voting = budget::voting;
using voting::Rule;

namespace {

const std::filesystem::path kPabulibDir = BUDGET_SOURCE_DIR "/tests/data/pabulib";

std::string trimmed_contents(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
        text.pop_back();
    }
    return text;
}

std::vector<std::filesystem::path> instance_files() {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(kPabulibDir)) {
        if (entry.path().extension() == ".pb") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

voting::PabulibInstance load(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    auto instance = voting::read_pabulib(file);
    REQUIRE(instance.has_value());
    return std::move(*instance);
}

// The tie order allocate() uses: fewer euros, then identifier.
std::vector<std::size_t> tie_ranks(const std::vector<voting::Project>& projects) {
    std::vector<std::size_t> order(projects.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        if (projects[a].cost != projects[b].cost) return projects[a].cost < projects[b].cost;
        return voting::compare_ids(projects[a].id, projects[b].id) < 0;
    });
    std::vector<std::size_t> rank(projects.size());
    for (std::size_t r = 0; r < order.size(); ++r) rank[order[r]] = r;
    return rank;
}

}  // namespace

TEST_CASE("allocate prints the reference answers of pabutools byte for byte", "[voting][pabulib]") {
    const std::filesystem::path expected_dir = kPabulibDir / "expected";
    REQUIRE(std::filesystem::is_directory(expected_dir));
    std::size_t answers = 0;
    for (const auto& entry : std::filesystem::directory_iterator(expected_dir)) {
        // <instance>.pb.<rule>.json
        const std::string name = entry.path().filename().string();
        const auto pb = name.find(".pb.");
        if (pb == std::string::npos || entry.path().extension() != ".json") continue;
        const std::string instance = name.substr(0, pb + 3);
        const std::string rule = name.substr(pb + 4, name.size() - pb - 4 - 5);
        INFO(instance << " under " << rule);
        std::ostringstream out;
        std::ostringstream err;
        const int code = budget::server::run_allocate_command(
            {"--rule", rule, "--pabulib", (kPabulibDir / instance).string()}, out, err);
        CHECK(code == 0);
        CHECK(err.str().empty());
        CHECK(out.str() == trimmed_contents(entry.path()) + "\n");
        ++answers;
    }
    CHECK(answers == 16);
}

TEST_CASE("allocate refuses a bad rule or file with one line and a failure code",
          "[voting][pabulib]") {
    const std::string file = (kPabulibDir / "Netherlands_Assen_2024.pb").string();
    struct Case {
        std::vector<std::string> args;
        std::string message_start;
    };
    const std::vector<Case> cases = {
        {{"--rule", "borda", "--pabulib", file}, "allocate: unknown rule \"borda\""},
        {{"--rule", "mes", "--pabulib", "/nonexistent.pb"},
         "allocate: /nonexistent.pb: cannot open /nonexistent.pb"},
        {{"--rule", "mes"}, "allocate: usage:"},
        {{"--rule", "mes", "--pabulib", file, "--extra"}, "allocate: unexpected argument"},
    };
    for (const Case& c : cases) {
        std::ostringstream out;
        std::ostringstream err;
        CHECK(budget::server::run_allocate_command(c.args, out, err) != 0);
        CHECK(out.str().empty());
        const std::string message = err.str();
        CHECK(message.rfind(c.message_start, 0) == 0);
        CHECK(std::count(message.begin(), message.end(), '\n') == 1);
    }
}

TEST_CASE("every rule keeps its promises on every shipped election", "[voting][pabulib]") {
    REQUIRE(std::filesystem::is_directory(kPabulibDir));
    const auto files = instance_files();
    CHECK(files.size() == 14);
    for (const auto& path : files) {
        INFO(path.filename().string());
        const voting::PabulibInstance instance = load(path);
        std::vector<std::vector<std::string>> selections;
        for (const Rule rule : {Rule::greedy, Rule::greedy_territorial, Rule::mes, Rule::mes_add1,
                                Rule::mes_completed}) {
            INFO(voting::rule_name(rule));
            const auto allocation =
                voting::allocate(rule, instance.projects, instance.ballots, instance.budget);
            REQUIRE(allocation.has_value());
            CHECK(allocation->total_cost <= instance.budget);
            std::int64_t total = 0;
            for (const voting::Decision& d : allocation->decisions) {
                if (d.funded) {
                    total += d.cost;
                    CHECK(d.votes > 0);
                }
            }
            CHECK(total == allocation->total_cost);
            if (rule == Rule::greedy || rule == Rule::mes_completed) {
                // Exhaustive: no approved project left out would still fit.
                for (const voting::Decision& d : allocation->decisions) {
                    if (!d.funded && d.votes > 0) {
                        CHECK(d.cost > instance.budget - allocation->total_cost);
                    }
                }
            }
            std::vector<std::string> selected = allocation->selected;
            std::sort(selected.begin(), selected.end());
            selections.push_back(std::move(selected));
        }
        // Without territories greedy-territorial is greedy; mes-completed extends mes-add1.
        CHECK(selections[1] == selections[0]);
        CHECK(std::includes(selections[4].begin(), selections[4].end(), selections[3].begin(),
                            selections[3].end()));
    }
}

TEST_CASE("the fast equal-shares arithmetic decides exactly as exact rationals do",
          "[voting][pabulib]") {
    REQUIRE(std::filesystem::is_directory(kPabulibDir));
    using voting::detail::EqualShares;
    using voting::detail::Rational;
    for (const auto& path : instance_files()) {
        INFO(path.filename().string());
        const voting::PabulibInstance instance = load(path);
        const auto votes = voting::count_approvals(instance.projects.size(), instance.ballots);
        REQUIRE(votes.has_value());
        const auto ranks = tie_ranks(instance.projects);
        EqualShares fast(instance.projects, instance.ballots, *votes, ranks);
        EqualShares exact(instance.projects, instance.ballots, *votes, ranks,
                          EqualShares::Arithmetic::exact);
        const auto voters = static_cast<std::int64_t>(instance.ballots.size());
        // Plain MES everywhere; on the smaller elections also every share mes-add1 goes through.
        std::int64_t last = 0;
        if (voters <= 1500) {
            const auto add1 = voting::allocate(Rule::mes_add1, instance.projects, instance.ballots,
                                               instance.budget);
            REQUIRE(add1.has_value());
            last = static_cast<std::int64_t>(add1->increase_steps) + 1;
        }
        for (std::int64_t k = 0; k <= last; ++k) {
            const Rational share = Rational(instance.budget, voters) + k;
            const auto fast_outcome = fast.run(share);
            const auto exact_outcome = exact.run(share);
            CHECK(fast_outcome.funded == exact_outcome.funded);
        }
    }
}

TEST_CASE("every rule selects on every shipped election what it did before the speed-ups",
          "[voting][pabulib]") {
    // Recorded from the straightforward implementation (one exact MES run per 1-euro step, in
    // one thread): same projects, same funding order, same number of steps.
    std::ifstream recorded(BUDGET_SOURCE_DIR "/tests/voting/data/allocation_outcomes.txt");
    REQUIRE(recorded.is_open());
    std::map<std::string, voting::PabulibInstance> instances;
    std::string line;
    std::size_t outcomes = 0;
    while (std::getline(recorded, line)) {
        if (line.empty() || line.front() == '#') continue;
        std::istringstream fields(line);
        std::string file;
        std::string rule_text;
        std::uint64_t steps = 0;
        std::int64_t total_cost = 0;
        std::string selected_text;
        fields >> file >> rule_text >> steps >> total_cost >> selected_text;
        INFO(file << " under " << rule_text);
        const auto rule = voting::parse_rule(rule_text);
        REQUIRE(rule.has_value());
        auto it = instances.find(file);
        if (it == instances.end()) it = instances.emplace(file, load(kPabulibDir / file)).first;
        const voting::PabulibInstance& instance = it->second;
        const auto allocation =
            voting::allocate(*rule, instance.projects, instance.ballots, instance.budget);
        REQUIRE(allocation.has_value());
        std::vector<std::string> expected;
        std::istringstream ids(selected_text);
        for (std::string id; std::getline(ids, id, ',');) expected.push_back(id);
        CHECK(allocation->selected == expected);
        CHECK(allocation->total_cost == total_cost);
        CHECK(allocation->increase_steps == steps);
        ++outcomes;
    }
    CHECK(outcomes == 14 * 4);
}
