#include "loadtest/outcome_check.hpp"

#include <unordered_map>
#include <unordered_set>

#include "voting/ballot.hpp"
#include "voting/merkle.hpp"

namespace budget::loadtest {

namespace {

std::string count_of(std::uint64_t n, const char* what) { return std::to_string(n) + " " + what; }

}  // namespace

std::vector<CheckResult> check_answers(const RunRecord& r, const Scenario& s) {
    std::vector<CheckResult> out;
    std::uint64_t wrong = 0, tolerated = 0;
    for (const auto& [key, u] : r.unexpected) {
        const int status = std::get<1>(key);
        if (s.tolerate_errors && (status == 0 || status == 503))
            tolerated += u.count;
        else
            wrong += u.count;
    }
    std::string detail = wrong == 0 ? "every answer had the expected status and error code"
                                    : count_of(wrong, "answers had another status or code");
    if (tolerated) detail += " (" + count_of(tolerated, "transport errors or 503 tolerated") + ")";
    out.push_back({"refusals carry the expected code", wrong == 0, detail});

    out.push_back({"no resident got two receipts", r.double_receipts == 0,
                   count_of(r.double_receipts, "second receipts")});

    const bool complete = r.codes_missing == 0 && (r.residents_abandoned == 0 || s.tolerate_errors);
    out.push_back({"every resident completed the journey", complete,
                   count_of(r.residents_done, "done, ") +
                       count_of(r.residents_abandoned, "abandoned, ") +
                       count_of(r.codes_missing, "codes never seen in the outbox")});
    return out;
}

std::vector<CheckResult> check_outcome(const RunRecord& r, const Scenario& s, RedisProbe& redis,
                                       const LedgerSnapshot& before) {
    auto out = check_answers(r, s);
    const auto after = redis.snapshot(s.campaign, s.ballot_shards);

    // The ballots appended during the run, by ballot id.
    std::unordered_map<std::string, std::string> log;  // ballot id -> canonical bytes
    std::uint64_t new_entries = 0, malformed = 0, repeated_ids = 0;
    for (int shard = 0; shard < s.ballot_shards; ++shard) {
        const auto from = before.log_lengths[static_cast<std::size_t>(shard)];
        for (auto& bytes : redis.log_from(s.campaign, shard, from)) {
            ++new_entries;
            const auto parsed = voting::parse_canonical_ballot(bytes);
            if (!parsed) {
                ++malformed;
                continue;
            }
            if (!log.emplace(parsed->ballot_id, std::move(bytes)).second) ++repeated_ids;
        }
    }

    std::uint64_t missing = 0, bad_hash = 0, bad_choices = 0;
    std::string first_missing;
    for (const auto& receipt : r.receipts) {
        const auto it = log.find(receipt.ballot_id);
        if (it == log.end()) {
            if (missing++ == 0) first_missing = receipt.ballot_id;
            continue;
        }
        if (voting::to_hex(voting::leaf_hash(it->second)) != receipt.ballot_hash) ++bad_hash;
        const auto parsed = voting::parse_canonical_ballot(it->second);
        if (!parsed || parsed->choices != receipt.choices) ++bad_choices;
    }
    out.push_back({"every receipt is in the ballot log", missing == 0,
                   count_of(r.receipts.size(), "receipts, ") + count_of(missing, "missing") +
                       (missing ? " (first: " + first_missing + ")" : "")});
    out.push_back({"receipts match the stored ballots", bad_hash == 0 && bad_choices == 0,
                   count_of(bad_hash, "leaf hashes differ, ") +
                       count_of(bad_choices, "choice lists differ")});
    out.push_back(
        {"stored ballots are well-formed and unique", malformed == 0 && repeated_ids == 0,
         count_of(malformed, "not canonical, ") + count_of(repeated_ids, "repeated ballot ids")});

    const auto bound = r.receipts.size() + r.ballots_unknown;
    out.push_back({"the log holds no unaccounted ballot", new_entries <= bound,
                   count_of(new_entries, "new log entries for ") +
                       count_of(r.receipts.size(), "receipts + ") +
                       count_of(r.ballots_unknown, "unanswered ballots")});

    const auto new_voted = after.voted_markers - before.voted_markers;
    const auto distinct = static_cast<long long>(r.residents_with_receipt.size());
    const bool one_each = new_voted == static_cast<long long>(new_entries) &&
                          new_voted >= distinct &&
                          new_voted <= distinct + static_cast<long long>(r.ballots_unknown);
    out.push_back({"one identity, one ballot", one_each,
                   std::to_string(new_voted) + " new voted markers, " +
                       count_of(new_entries, "new ballots, ") +
                       count_of(static_cast<std::uint64_t>(distinct), "identities with a 201")});

    const auto new_total = after.stats_total - before.stats_total;
    out.push_back({"participation counter matches the log",
                   new_total == static_cast<long long>(new_entries),
                   "stats total +" + std::to_string(new_total)});
    return out;
}

bool print_verdict(std::ostream& out, const std::vector<CheckResult>& checks) {
    bool all = true;
    out << "\nchecks:\n";
    for (const auto& c : checks) {
        out << "  [" << (c.passed ? "PASS" : "FAIL") << "] " << c.name << ": " << c.detail << "\n";
        all = all && c.passed;
    }
    out << "\nVERDICT: " << (all ? "PASS" : "FAIL") << "\n";
    return all;
}

}  // namespace budget::loadtest
