// Benchmark (not a test): the whole count of a large campaign — 1.5 million generated ballots
// over 60 initiatives — through the real code: canonical ballots, RFC 6962 tree, counts,
// allocation, canonical document and Ed25519 signature. Prints time per stage and peak memory.
#include <sodium.h>
#include <sys/resource.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "voting/allocation.hpp"
#include "voting/ballot.hpp"
#include "voting/canonical_json.hpp"
#include "voting/results.hpp"
#include "voting/tally.hpp"

using namespace budget::voting;
using Clock = std::chrono::steady_clock;

namespace {
double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}
long peak_rss_mb() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss / 1024;
}
}  // namespace

int main(int argc, char** argv) {
    const std::size_t ballots = argc > 1 ? std::stoul(argv[1]) : 1'500'000;
    const std::size_t initiatives = argc > 2 ? std::stoul(argv[2]) : 60;
    if (sodium_init() < 0) return 1;
    std::mt19937_64 rng(20260901);
    // Popularity follows a Zipf-like law, as real ballots do.
    std::vector<double> weights;
    for (std::size_t i = 0; i < initiatives; ++i)
        weights.push_back(1.0 / static_cast<double>(i + 1));
    std::discrete_distribution<std::size_t> pick(weights.begin(), weights.end());
    std::uniform_int_distribution<int> how_many(1, 3);
    std::vector<std::string> ids;
    std::vector<Project> projects;
    ResultsInput input;
    for (std::size_t i = 0; i < initiatives; ++i) {
        ids.push_back("initiative-" + std::to_string(i));
        projects.push_back(Project{ids.back(), 5000 + static_cast<std::int64_t>((i * 7919) % 15000),
                                   "t" + std::to_string(i % 8)});
        input.initiatives.push_back({ids.back(), "Initiative " + std::to_string(i),
                                     projects.back().territory, "c", projects.back().cost});
    }
    input.campaign_id = "bench";
    input.envelope_eur = 572000;

    auto t = Clock::now();
    std::vector<std::string> log;
    log.reserve(ballots);
    unsigned char id[16];
    char hex[33];
    for (std::size_t b = 0; b < ballots; ++b) {
        randombytes_buf(id, sizeof id);
        sodium_bin2hex(hex, sizeof hex, id, sizeof id);
        std::vector<std::string> choices;
        const int n = how_many(rng);
        while (static_cast<int>(choices.size()) < n) {
            const auto& c = ids[pick(rng)];
            if (std::find(choices.begin(), choices.end(), c) == choices.end()) choices.push_back(c);
        }
        std::sort(choices.begin(), choices.end());
        log.push_back(canonical_ballot(hex, choices));
    }
    std::printf("generate %zu ballots over %zu initiatives: %.2f s\n", ballots, initiatives,
                seconds_since(t));
    const long generated_mb = peak_rss_mb();

    t = Clock::now();
    TallyBuilder tally(ids);
    for (const auto& entry : log) {
        if (!tally.add(entry)) return 2;
    }
    const double tally_s = seconds_since(t);
    std::printf("parse + count + Merkle tree: %.2f s (%.0f ballots/s), root %s\n", tally_s,
                static_cast<double>(ballots) / tally_s, to_hex(tally.tree().root()).c_str());

    for (const auto rule : {Rule::greedy, Rule::mes, Rule::mes_completed}) {
        t = Clock::now();
        const auto allocation = allocate(rule, projects, tally.ballots(), input.envelope_eur);
        if (!allocation) return 3;
        const double alloc_s = seconds_since(t);
        t = Clock::now();
        const auto document = make_results_document(input, tally, *allocation);
        const auto text = *canonical_json(document);
        unsigned char pk[32], sk[64], sig[64];
        crypto_sign_keypair(pk, sk);
        crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(text.data()),
                             text.size(), sk);
        std::printf("allocate %-14s %.2f s, %zu funded, %lld EUR; document + signature %.3f s\n",
                    std::string(rule_name(rule)).c_str(), alloc_s, allocation->selected.size(),
                    static_cast<long long>(allocation->total_cost), seconds_since(t));
    }
    std::printf("peak memory: %ld MB (of which the generated raw log: about %ld MB)\n",
                peak_rss_mb(), generated_mb);
    return 0;
}
