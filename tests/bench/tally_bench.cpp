// Benchmark (not a test): the whole count of a large campaign — 1.5 million generated ballots
// over 60 initiatives — through the real code: canonical ballots, RFC 6962 tree, counts,
// allocation, canonical document and Ed25519 signature. Prints time per stage, peak memory, and
// digests of everything the count produces (root, votes, ballots, proofs, documents) so that two
// builds can be compared byte for byte: the ballots are generated from a fixed seed.
//
// The log is fed to the tally the way TallyService reads it from Redis: in pages of kTallyPage
// entries, each page dropped once counted, so the peak memory printed is the tally's own (the
// tree, the index of ballot ids, the approval ballots) and not that of a raw log held whole.
#include <sodium.h>
#include <sys/resource.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
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

// As server/api/tally_service.hpp's kTallyPage (the bench links the pure layer only).
constexpr std::size_t kPage = 10'000;

double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

// CPU time of the whole process (every thread), user and system.
double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

long peak_rss_mb() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss / 1024;
}

// A running SHA-256 over what the count produced, printed as a short hex digest.
class Digest {
  public:
    Digest() { crypto_hash_sha256_init(&state_); }
    void add(const void* data, std::size_t size) {
        crypto_hash_sha256_update(&state_, static_cast<const unsigned char*>(data), size);
    }
    void add(std::uint64_t n) { add(&n, sizeof n); }
    void add(const Hash& h) { add(h.data(), h.size()); }
    void add(const std::string& s) {
        add(s.size());
        add(s.data(), s.size());
    }
    std::string hex() {
        unsigned char out[32];
        crypto_hash_sha256_final(&state_, out);
        char text[65];
        sodium_bin2hex(text, sizeof text, out, sizeof out);
        return std::string(text, 16);
    }

  private:
    crypto_hash_sha256_state state_;
};

// Ballots as residents cast them: a random 128-bit id in lower-case hex, 1 to 3 distinct
// initiatives whose popularity follows a Zipf-like law, sorted; from a fixed seed.
class BallotSource {
  public:
    explicit BallotSource(const std::vector<std::string>& ids) : ids_(ids) {
        std::vector<double> weights;
        for (std::size_t i = 0; i < ids.size(); ++i)
            weights.push_back(1.0 / static_cast<double>(i + 1));
        pick_ = std::discrete_distribution<std::size_t>(weights.begin(), weights.end());
    }

    std::string next() {
        static constexpr char kHex[] = "0123456789abcdef";
        char id[32];
        for (int half = 0; half < 2; ++half) {
            std::uint64_t bits = rng_();
            for (int i = 0; i < 16; ++i, bits >>= 4) id[half * 16 + i] = kHex[bits & 15];
        }
        choices_.clear();
        const int n = how_many_(rng_);
        while (static_cast<int>(choices_.size()) < n) {
            const auto& c = ids_[pick_(rng_)];
            if (std::find(choices_.begin(), choices_.end(), c) == choices_.end())
                choices_.push_back(c);
        }
        std::sort(choices_.begin(), choices_.end());
        return canonical_ballot(std::string_view(id, sizeof id), choices_);
    }

  private:
    const std::vector<std::string>& ids_;
    std::mt19937_64 rng_{20260901};
    std::discrete_distribution<std::size_t> pick_;
    std::uniform_int_distribution<int> how_many_{1, 3};
    std::vector<std::string> choices_;
};

// Inclusion and consistency proofs and prefix roots at sampled positions, and the index of
// sampled ballot ids: what receipts and tree heads are checked against.
std::string proofs_digest(const TallyBuilder& tally, const std::vector<std::string>& sample_ids,
                          const std::vector<std::uint64_t>& sample_index) {
    Digest d;
    const MerkleTree& tree = tally.tree();
    const std::uint64_t n = tree.size();
    std::mt19937_64 rng(7);
    for (int s = 0; s < 2000 && n > 0; ++s) {
        const std::uint64_t size = 1 + rng() % n;
        const std::uint64_t index = rng() % size;
        const std::uint64_t m = rng() % (size + 1);
        const auto in_prefix = tree.inclusion_proof(index, size);
        const auto in_whole = tree.inclusion_proof(index, n);
        const auto consistency = tree.consistency_proof(m, size);
        for (const auto* proof : {&*in_prefix, &*in_whole, &*consistency}) {
            d.add(proof->size());
            for (const auto& h : *proof) d.add(h);
        }
        d.add(*tree.root_of_prefix(m));
        d.add(tree.leaf(index));
    }
    for (std::size_t i = 0; i < sample_ids.size(); ++i) {
        d.add(tally.index_of_ballot().find(sample_ids[i]).value_or(~std::uint64_t{0}));
        d.add(sample_index[i]);
    }
    return d.hex();
}

}  // namespace

int main(int argc, char** argv) {
    const std::size_t ballots = argc > 1 ? std::stoul(argv[1]) : 1'500'000;
    const std::size_t initiatives = argc > 2 ? std::stoul(argv[2]) : 60;
    if (sodium_init() < 0) return 1;
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

    // Generating a page is not counting it: only the tally's calls are timed.
    BallotSource source(ids);
    TallyBuilder tally(ids);
    std::vector<std::string> page;
    std::vector<std::string> sample_ids;
    std::vector<std::uint64_t> sample_index;
    double generate_s = 0, tally_s = 0, tally_cpu_s = 0;
    for (std::size_t start = 0; start < ballots; start += kPage) {
        auto t = Clock::now();
        page.clear();
        for (std::size_t b = start; b < std::min(ballots, start + kPage); ++b) {
            page.push_back(source.next());
            if (b % 997 == 0) {
                sample_ids.push_back(page.back().substr(14, 32));
                sample_index.push_back(b);
            }
        }
        generate_s += seconds_since(t);
        t = Clock::now();
        const double cpu = cpu_seconds();
        if (!tally.add_page(page)) return 2;
        tally_s += seconds_since(t);
        tally_cpu_s += cpu_seconds() - cpu;
    }
    page = {};
    sample_ids.push_back("not a ballot id");
    sample_index.push_back(0);
    std::printf("generate %zu ballots over %zu initiatives (pages of %zu, not timed): %.2f s\n",
                ballots, initiatives, kPage, generate_s);
    // The CPU time says what the count costs when the machine is shared and the wall time
    // is not the program's own.
    std::printf(
        "parse + count + Merkle tree: %.2f s (%.0f ballots/s), CPU %.2f s over %u threads, root "
        "%s\n",
        tally_s, static_cast<double>(ballots) / tally_s, tally_cpu_s, tally.threads(),
        to_hex(tally.tree().root()).c_str());
    const long tally_mb = peak_rss_mb();

    Digest votes;
    for (const auto v : tally.votes()) votes.add(v);
    Digest approvals;
    for (const auto& b : tally.ballots()) {
        approvals.add(b.size());
        for (const auto p : b) approvals.add(p);
    }
    std::printf("check: votes %s, ballots %s, proofs and index %s\n", votes.hex().c_str(),
                approvals.hex().c_str(), proofs_digest(tally, sample_ids, sample_index).c_str());

    for (const auto rule : {Rule::greedy, Rule::mes, Rule::mes_completed}) {
        auto t = Clock::now();
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
        const double sign_s = seconds_since(t);
        Digest doc;
        doc.add(text);
        std::printf(
            "allocate %-14s %.2f s, %zu funded, %lld EUR; document + signature %.3f s, "
            "document %s\n",
            std::string(rule_name(rule)).c_str(), alloc_s, allocation->selected.size(),
            static_cast<long long>(allocation->total_cost), sign_s, doc.hex().c_str());
    }
    std::printf("peak memory: %ld MB after the count, %ld MB after the allocations\n", tally_mb,
                peak_rss_mb());
    return 0;
}
