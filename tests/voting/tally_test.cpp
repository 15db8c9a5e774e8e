#include "voting/tally.hpp"

#include <sodium.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "voting/ballot.hpp"

using namespace budget::voting;

namespace {

// SHA-256 through libsodium: an implementation the tally no longer uses.
Hash sha256_prefixed(std::uint8_t prefix, std::string_view a, std::string_view b = {}) {
    crypto_hash_sha256_state state;
    crypto_hash_sha256_init(&state);
    crypto_hash_sha256_update(&state, &prefix, 1);
    crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(a.data()), a.size());
    crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(b.data()), b.size());
    Hash out;
    crypto_hash_sha256_final(&state, out.data());
    return out;
}

std::string_view bytes_of(const Hash& h) {
    return {reinterpret_cast<const char*>(h.data()), h.size()};
}

// RFC 6962's MTH, straight from its recursive definition.
Hash reference_root(const std::vector<Hash>& leaves, std::size_t begin, std::size_t end) {
    if (begin == end) {
        Hash empty;
        crypto_hash_sha256(empty.data(), nullptr, 0);
        return empty;
    }
    if (end - begin == 1) return leaves[begin];
    std::size_t k = 1;
    while (2 * k < end - begin) k *= 2;
    return sha256_prefixed(1, bytes_of(reference_root(leaves, begin, begin + k)),
                           bytes_of(reference_root(leaves, begin + k, end)));
}

// The tally as it was written before it was made fast: Boost.JSON's parse of the canonical
// form, a map of initiative ids, a map of ballot id strings, one hash at a time.
struct ReferenceTally {
    explicit ReferenceTally(const std::vector<std::string>& ids) : votes(ids.size(), 0) {
        for (std::size_t i = 0; i < ids.size(); ++i) position.emplace(ids[i], i);
    }

    std::optional<TallyProblem> add(std::string_view entry) {
        const std::uint64_t index = leaves.size();
        auto ballot = parse_canonical_ballot(entry);
        if (!ballot) return TallyProblem{TallyError::not_canonical, index, ""};
        ApprovalBallot approvals;
        for (const auto& choice : ballot->choices) {
            const auto it = position.find(choice);
            if (it == position.end())
                return TallyProblem{TallyError::unknown_initiative, index, choice};
            approvals.push_back(it->second);
        }
        if (!index_of.emplace(ballot->ballot_id, index).second)
            return TallyProblem{TallyError::duplicate_ballot_id, index, ballot->ballot_id};
        for (const auto p : approvals) ++votes[p];
        ballots.push_back(std::move(approvals));
        leaves.push_back(sha256_prefixed(0, entry));
        return std::nullopt;
    }

    std::map<std::string, std::size_t, std::less<>> position;
    std::vector<std::uint64_t> votes;
    std::vector<ApprovalBallot> ballots;
    std::unordered_map<std::string, std::uint64_t> index_of;
    std::vector<Hash> leaves;
};

// Logs of canonical ballots and of near misses: every byte that could trip a hand-written
// parser (quotes, backslashes, controls, DEL, UTF-8 lead bytes, upper-case hex), ids that are
// not hexadecimal, initiatives off the ballot, repeated ids, choices out of order.
class LogMaker {
  public:
    explicit LogMaker(std::uint64_t seed) : rng_(seed) {}

    const std::vector<std::string>& initiatives() const { return initiatives_; }

    std::string entry() {
        std::string canonical = canonical_ballot(next_id(), next_choices());
        switch (pick(10)) {
            case 0:
            case 1:
                return mutated(canonical);
            case 2: {  // choices out of order or repeated
                auto choices = next_choices();
                if (choices.size() >= 2) std::swap(choices.front(), choices.back());
                if (pick(2) == 0 && !choices.empty()) choices.push_back(choices.front());
                return canonical_ballot(next_id(), choices);
            }
            default:
                return canonical;
        }
    }

  private:
    std::size_t pick(std::size_t n) {
        return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
    }

    std::string next_id() {
        static constexpr char kHex[] = "0123456789abcdef";
        const std::size_t kind = pick(20);
        if (kind == 0 && !used_.empty()) return used_[pick(used_.size())];  // a repeat
        std::string id;
        if (kind == 1) {
            id = "receipt-" + std::to_string(pick(1000));  // not hexadecimal
        } else if (kind == 2) {
            id = std::string(32, 'A');  // upper case: another id than "aaa..."
        } else if (kind == 3) {
            id = std::string(31, '0');  // one digit short
        } else if (kind == 4) {
            id = std::string(32, 'a');
        } else {
            for (int i = 0; i < 32; ++i) id += kHex[pick(16)];
        }
        used_.push_back(id);
        return id;
    }

    std::vector<std::string> next_choices() {
        std::vector<std::string> choices;
        const std::size_t n = pick(4);
        for (std::size_t i = 0; i < n; ++i) {
            const std::string c = pick(25) == 0 ? "off-ballot-" + std::to_string(pick(3))
                                                : initiatives_[pick(initiatives_.size())];
            if (std::find(choices.begin(), choices.end(), c) == choices.end()) choices.push_back(c);
        }
        std::sort(choices.begin(), choices.end());
        return choices;
    }

    std::string mutated(std::string s) {
        // The last one is a NUL.
        static const std::string kBytes("\"\\,:[]{} Aa0fu\x7f\x80\xC3\xA9\n\t", 21);
        const std::size_t at = s.empty() ? 0 : pick(s.size());
        switch (pick(6)) {
            case 0:
                s[at] = kBytes[pick(kBytes.size())];
                break;
            case 1:
                s.erase(at, 1);
                break;
            case 2:
                s.insert(at, 1, kBytes[pick(kBytes.size())]);
                break;
            case 3:
                s.resize(at);
                break;
            case 4:
                s.insert(at, R"(\u0061)");
                break;
            default:
                s += pick(2) ? " " : "}";
        }
        return s;
    }

    std::mt19937_64 rng_;
    std::vector<std::string> used_;
    std::vector<std::string> initiatives_ = {
        "initiative-1", "initiative-10", "initiative-2", "b", "a",           "", "é", "quote\"d",
        "back\\slash",  "tab\there",     "del\x7f",      "Z", "initiative-1"};  // a repeated id
};

void check_same(const TallyBuilder& tally, const ReferenceTally& reference) {
    CHECK(tally.size() == reference.leaves.size());
    CHECK(tally.votes() == reference.votes);
    CHECK(tally.ballots() == reference.ballots);
    CHECK(tally.tree().root() == reference_root(reference.leaves, 0, reference.leaves.size()));
    CHECK(tally.index_of_ballot().size() == reference.index_of.size());
    std::uint64_t wrong = 0;
    for (const auto& [id, index] : reference.index_of)
        wrong += tally.index_of_ballot().find(id) != index;
    for (std::uint64_t i = 0; i < reference.leaves.size(); ++i)
        wrong += tally.tree().leaf(i) != reference.leaves[i];
    CHECK(wrong == 0);
}

bool same_problem(const TallyProblem& a, const TallyProblem& b) {
    return a.error == b.error && a.index == b.index && a.detail == b.detail;
}

}  // namespace

TEST_CASE("the tally reads, refuses and counts every entry as the reference tally does",
          "[voting][tally]") {
    for (const std::uint64_t seed : {1, 2, 3}) {
        LogMaker maker(seed);
        std::vector<std::string> log;
        for (int i = 0; i < 4000; ++i) log.push_back(maker.entry());
        INFO("seed " << seed);

        ReferenceTally reference(maker.initiatives());
        std::vector<std::optional<TallyProblem>> expected;
        for (const auto& entry : log) expected.push_back(reference.add(entry));
        std::size_t refused = 0;
        for (const auto& e : expected) refused += e.has_value();
        CHECK(refused > 500);  // the near misses do reach every kind of refusal
        CHECK(refused < 2500);

        SECTION("one entry at a time") {
            TallyBuilder tally(maker.initiatives());
            std::size_t differ = 0;
            for (std::size_t i = 0; i < log.size(); ++i) {
                const auto added = tally.add(log[i]);
                if (added.has_value() != !expected[i].has_value()) {
                    ++differ;
                    UNSCOPED_INFO("entry " << i << ": " << log[i]);
                } else if (!added && !same_problem(added.error(), *expected[i])) {
                    ++differ;
                    UNSCOPED_INFO("entry " << i << ": " << describe(added.error()) << " instead of "
                                           << describe(*expected[i]));
                }
            }
            CHECK(differ == 0);
            check_same(tally, reference);
        }
        SECTION("in pages of any size, hashed over one or two threads") {
            for (const unsigned threads : {1u, 2u}) {
                TallyBuilder tally(maker.initiatives());
                tally.set_threads(threads);
                std::mt19937_64 rng(seed);
                std::size_t at = 0, differ = 0;
                std::vector<TallyProblem> problems;
                while (at < log.size()) {
                    const std::size_t size =
                        std::min<std::size_t>(log.size() - at, 1 + rng() % 1500);
                    const std::span<const std::string> page(log.data() + at, size);
                    const auto added = tally.add_page(page);
                    if (added) {
                        at += size;
                        continue;
                    }
                    // The entries before the refused one are counted: go on after it, as a
                    // caller going one entry at a time would.
                    problems.push_back(added.error());
                    std::size_t refused_at = at;
                    while (refused_at < log.size() && !expected[refused_at]) ++refused_at;
                    REQUIRE(refused_at < at + size);
                    differ += !same_problem(added.error(), *expected[refused_at]);
                    at = refused_at + 1;
                }
                CHECK(problems.size() == refused);
                CHECK(differ == 0);
                check_same(tally, reference);
            }
        }
    }
}

TEST_CASE("ballots budgetd writes are read in place, others through the full parser, alike",
          "[voting][tally]") {
    TallyBuilder tally({"a", "b", "é", "c\"d"});
    const std::string id(32, 'f');
    REQUIRE(tally.add(canonical_ballot(id, {"a", "b"})).has_value());
    REQUIRE(tally.add(canonical_ballot("0123456789abcdef0123456789abcdef", {})).has_value());
    REQUIRE(tally.add(canonical_ballot("not-hex", {"c\"d", "é"})).has_value());
    CHECK(tally.votes() == std::vector<std::uint64_t>{1, 1, 1, 1});
    CHECK(tally.ballots() == std::vector<ApprovalBallot>{{0, 1}, {}, {3, 2}});
    CHECK(tally.index_of_ballot().at(id) == 0);
    CHECK(tally.index_of_ballot().at("not-hex") == 2);
    CHECK_FALSE(tally.index_of_ballot().find(std::string(32, 'F')));
    CHECK_THROWS_AS(tally.index_of_ballot().at("nope"), std::out_of_range);

    const auto repeated = tally.add(canonical_ballot(id, {"b"}));
    REQUIRE_FALSE(repeated.has_value());
    CHECK(repeated.error().error == TallyError::duplicate_ballot_id);
    CHECK(repeated.error().detail == id);
    CHECK(repeated.error().index == 3);
    // Out of order, with a space, with an escape that means the same letter: not canonical.
    for (const std::string& entry : {R"({"ballot_id":")" + id + R"(","choices":["b","a"]})",
                                     R"({"ballot_id":")" + id + R"(","choices":["a", "b"]})",
                                     R"({"ballot_id":")" + id + R"(","choices":["\u0061"]})"}) {
        const auto refused = tally.add(entry);
        REQUIRE_FALSE(refused.has_value());
        CHECK(refused.error().error == TallyError::not_canonical);
    }
    const auto off_ballot = tally.add(canonical_ballot(std::string(32, '1'), {"a", "zz"}));
    REQUIRE_FALSE(off_ballot.has_value());
    CHECK(off_ballot.error().error == TallyError::unknown_initiative);
    CHECK(off_ballot.error().detail == "zz");
    CHECK(tally.size() == 3);
}

TEST_CASE("the index of ballot ids finds every id it was given, and only those",
          "[voting][tally]") {
    BallotIndex index;
    std::mt19937_64 rng(5);
    std::vector<std::string> ids;
    char text[33];
    for (std::uint64_t i = 0; i < 100'000; ++i) {
        std::snprintf(text, sizeof text, "%016llx%016llx", static_cast<unsigned long long>(rng()),
                      static_cast<unsigned long long>(rng()));
        ids.emplace_back(text);
        REQUIRE(index.insert(ids.back(), 2 * i));
    }
    CHECK(index.insert("a hand-made id", 200'000));
    std::uint64_t wrong = 0;
    for (std::uint64_t i = 0; i < ids.size(); ++i) {
        wrong += index.find(ids[i]) != 2 * i;
        wrong += index.insert(ids[i], 300'000);  // a repeat changes nothing
        std::string other = ids[i];
        other[i % 32] = other[i % 32] == '0' ? '1' : '0';
        wrong += index.find(other).has_value();
    }
    CHECK(wrong == 0);
    CHECK(index.size() == 100'001);
    CHECK(index.find("a hand-made id") == 200'000);
    CHECK(index.count(ids[7]) == 1);

    SECTION("beyond three billion ballots, ids go to the map, and repeats are still found") {
        const std::uint64_t far = std::uint64_t{3} << 30;
        const std::string id(32, 'c');
        CHECK(index.insert(id, far + 1));
        CHECK_FALSE(index.insert(id, far + 2));
        CHECK_FALSE(index.insert(ids[3], far + 3));
        CHECK(index.find(id) == far + 1);
    }
}
