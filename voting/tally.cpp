#include "voting/tally.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <random>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "voting/ballot.hpp"

namespace budget::voting {

namespace {

// ---- the canonical form, read without allocating ----

// Bytes that canonical_ballot copies as they are and that are valid UTF-8 on their own:
// printable ASCII but for the quote and the backslash, which it escapes.
bool plain(char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

// Reads a JSON string of plain bytes at `at`, moving past it.
bool plain_string(std::string_view bytes, std::size_t& at, std::string_view& out) {
    if (at >= bytes.size() || bytes[at] != '"') return false;
    std::size_t end = at + 1;
    while (end < bytes.size() && plain(bytes[end])) ++end;
    if (end >= bytes.size() || bytes[end] != '"') return false;
    out = bytes.substr(at + 1, end - at - 1);
    at = end + 1;
    return true;
}

bool literal(std::string_view bytes, std::size_t& at, std::string_view text) {
    if (bytes.substr(at, text.size()) != text) return false;
    at += text.size();
    return true;
}

// The canonical bytes of a ballot whose id and choices are plain ASCII — every ballot budgetd
// writes — read in place: `{"ballot_id":"<id>","choices":["<a>","<b>"]}`, choices strictly
// increasing. These are exactly the bytes canonical_ballot gives for that id and those choices,
// so parse_canonical_ballot accepts them with the same reading. False on anything else, which
// parse_canonical_ballot then decides (escapes and non-ASCII text included): never a refusal
// of its own.
bool parse_plain_ballot(std::string_view bytes, std::string_view& id,
                        std::vector<std::string_view>& choices) {
    choices.clear();
    std::size_t at = 0;
    if (!literal(bytes, at, R"({"ballot_id":)") || !plain_string(bytes, at, id) ||
        !literal(bytes, at, R"(,"choices":[)"))
        return false;
    if (at < bytes.size() && bytes[at] != ']') {
        while (true) {
            std::string_view choice;
            if (!plain_string(bytes, at, choice)) return false;
            if (!choices.empty() && !(choices.back() < choice)) return false;
            choices.push_back(choice);
            if (at < bytes.size() && bytes[at] == ',') {
                ++at;
                continue;
            }
            break;
        }
    }
    return literal(bytes, at, "]}") && at == bytes.size();
}

// ---- ballot ids as their 16 bytes ----

constexpr std::array<std::int8_t, 256> kHexValue = [] {
    std::array<std::int8_t, 256> table{};
    table.fill(-1);
    for (int c = '0'; c <= '9'; ++c)
        table[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - '0');
    for (int c = 'a'; c <= 'f'; ++c)
        table[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - 'a' + 10);
    return table;
}();

std::string hex_text(const BallotIndex::HexId& id) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out(32, '0');
    for (int i = 0; i < 16; ++i) {
        out[static_cast<std::size_t>(15 - i)] = kDigits[(id.high >> (4 * i)) & 15];
        out[static_cast<std::size_t>(31 - i)] = kDigits[(id.low >> (4 * i)) & 15];
    }
    return out;
}

std::uint64_t mix(std::uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

// Initiative ids share long prefixes ("initiative-12"): their first and last 8 bytes and their
// length tell them apart in a few instructions.
std::uint64_t text_hash(std::string_view text) {
    std::uint64_t first = 0, last = 0;
    if (text.size() >= 8) {
        std::memcpy(&first, text.data(), 8);
        std::memcpy(&last, text.data() + text.size() - 8, 8);
    } else if (!text.empty()) {
        std::memcpy(&first, text.data(), text.size());
    }
    return mix(first ^ mix(last ^ text.size()));
}

// The table holds ids at indices below this (3 * 2^30 ballots): its slots keep index + 1 in 32
// bits and find their place from 32 bits of fingerprint. Further ballots go to the map.
constexpr std::uint64_t kTableLimit = std::uint64_t{3} << 30;

}  // namespace

void throw_exception_from_error(const TallyProblem& e, const boost::source_location&) {
    throw std::runtime_error(describe(e));
}

std::string describe(const TallyProblem& p) {
    const auto where = "ballot #" + std::to_string(p.index) + " of the log";
    switch (p.error) {
        case TallyError::not_canonical:
            return where + " is not a canonical ballot";
        case TallyError::unknown_initiative:
            return where + " names an initiative not on the ballot: " + p.detail;
        case TallyError::duplicate_ballot_id:
            return where + " repeats the ballot id " + p.detail;
    }
    return where + " is invalid";
}

// ---- BallotIndex ----

std::optional<BallotIndex::HexId> BallotIndex::hex_id(std::string_view id) {
    if (id.size() != 32) return std::nullopt;
    // Two independent chains of 16 digits, and one test at the end.
    std::uint64_t high = 0, low = 0;
    int invalid = 0;
    for (std::size_t i = 0; i < 16; ++i) {
        const int h = kHexValue[static_cast<unsigned char>(id[i])];
        const int l = kHexValue[static_cast<unsigned char>(id[16 + i])];
        invalid |= h | l;
        high = (high << 4) | static_cast<std::uint64_t>(h & 15);
        low = (low << 4) | static_cast<std::uint64_t>(l & 15);
    }
    if (invalid < 0) return std::nullopt;
    return HexId{high, low};
}

std::uint32_t BallotIndex::fingerprint(const HexId& id) const {
    return static_cast<std::uint32_t>(mix(id.high ^ mix(id.low ^ seed_)) >> 32);
}

std::optional<std::uint64_t> BallotIndex::find_in_table(const HexId& id,
                                                        std::uint32_t print) const {
    if (slots_.empty()) return std::nullopt;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t s = print & mask;; s = (s + 1) & mask) {
        const std::uint64_t slot = slots_[s];
        if (slot == 0) return std::nullopt;
        const std::uint64_t index = (slot & 0xffff'ffff) - 1;
        if ((slot >> 32) == print && ids_[index] == id) return index;
    }
}

std::optional<std::uint64_t> BallotIndex::find(std::string_view ballot_id) const {
    if (const auto id = hex_id(ballot_id)) {
        if (const auto index = find_in_table(*id, fingerprint(*id))) return index;
    }
    if (other_ids_.empty()) return std::nullopt;
    const auto it = other_ids_.find(std::string(ballot_id));
    if (it == other_ids_.end()) return std::nullopt;
    return it->second;
}

std::uint64_t BallotIndex::at(std::string_view ballot_id) const {
    const auto index = find(ballot_id);
    if (!index) throw std::out_of_range("no ballot " + std::string(ballot_id) + " in the log");
    return *index;
}

bool BallotIndex::insert(std::string_view ballot_id, std::uint64_t index) {
    if (const auto id = hex_id(ballot_id)) return insert(*id, index);
    return other_ids_.emplace(ballot_id, index).second;
}

bool BallotIndex::insert(const HexId& id, std::uint64_t index) {
    if (index >= kTableLimit) {
        if (find_in_table(id, fingerprint(id))) return false;
        return other_ids_.emplace(hex_text(id), index).second;
    }
    if ((in_table_ + 1) * 4 > slots_.size() * 3) grow();
    const std::uint32_t print = fingerprint(id);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t s = print & mask;; s = (s + 1) & mask) {
        const std::uint64_t slot = slots_[s];
        if (slot == 0) {
            slots_[s] = (std::uint64_t{print} << 32) | (index + 1);
            if (ids_.size() <= index) ids_.resize(index + 1);
            ids_[index] = id;
            ++in_table_;
            return true;
        }
        if ((slot >> 32) == print && ids_[(slot & 0xffff'ffff) - 1] == id) return false;
    }
}

const void* BallotIndex::first_slot(const HexId& id) const {
    if (slots_.empty()) return nullptr;
    return &slots_[fingerprint(id) & (slots_.size() - 1)];
}

void BallotIndex::grow() {
    if (slots_.empty()) {
        std::random_device random;
        seed_ = (std::uint64_t{random()} << 32) ^ random();
    }
    std::vector<std::uint64_t> old(slots_.empty() ? 1024 : 2 * slots_.size());
    old.swap(slots_);
    const std::size_t mask = slots_.size() - 1;
    constexpr std::size_t kAhead = 16;
    for (std::size_t i = 0; i < old.size(); ++i) {
        if (i + kAhead < old.size() && old[i + kAhead] != 0)
            __builtin_prefetch(&slots_[(old[i + kAhead] >> 32) & mask], 1);
        if (old[i] == 0) continue;
        std::size_t s = (old[i] >> 32) & mask;
        while (slots_[s] != 0) s = (s + 1) & mask;
        slots_[s] = old[i];
    }
}

// ---- TallyBuilder ----

TallyBuilder::TallyBuilder(std::vector<std::string> initiative_ids)
    : ids_(std::move(initiative_ids)), votes_(ids_.size(), 0), threads_(default_hash_threads()) {
    std::size_t capacity = 16;
    while (capacity < 2 * ids_.size()) capacity *= 2;
    positions_.assign(capacity, 0);
    for (std::size_t i = 0; i < ids_.size(); ++i) {
        // A repeated id keeps its first position, as a map's emplace would.
        if (position(ids_[i]) != ids_.size()) continue;
        std::size_t s = text_hash(ids_[i]) & (capacity - 1);
        while (positions_[s] != 0) s = (s + 1) & (capacity - 1);
        positions_[s] = static_cast<std::uint32_t>(i + 1);
    }
    std::vector<std::size_t> order(ids_.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return ids_[a] < ids_[b]; });
    rank_.assign(ids_.size(), 0);
    for (std::size_t r = 1; r < order.size(); ++r) {
        rank_[order[r]] = rank_[order[r - 1]] + (ids_[order[r - 1]] < ids_[order[r]] ? 1 : 0);
    }
    plain_.assign(ids_.size(), false);
    for (std::size_t i = 0; i < ids_.size(); ++i) {
        plain_[i] = std::all_of(ids_[i].begin(), ids_[i].end(), plain);
    }
}

std::size_t TallyBuilder::position(std::string_view id) const {
    const std::size_t mask = positions_.size() - 1;
    for (std::size_t s = text_hash(id) & mask;; s = (s + 1) & mask) {
        const std::uint32_t p = positions_[s];
        if (p == 0) return ids_.size();
        if (ids_[p - 1] == id) return p - 1;
    }
}

std::optional<boost::system::result<void, TallyProblem>> TallyBuilder::count_usual(
    std::string_view entry, std::uint64_t index, const std::optional<BallotIndex::HexId>* decoded) {
    // {"ballot_id":"<32 hex digits>","choices":["<id>","<id>"]} with initiative ids that are
    // plain ASCII, on the ballot and strictly increasing: exactly the bytes canonical_ballot
    // writes for them, which parse_canonical_ballot reads back to the same id and choices. Each
    // choice is found by its closing quote (a plain id has none) and checked by its lookup.
    constexpr std::string_view kOpen = R"({"ballot_id":")";
    constexpr std::string_view kChoices = R"(","choices":[)";
    constexpr std::size_t kIdAt = kOpen.size();
    constexpr std::size_t kChoicesAt = kIdAt + 32 + kChoices.size();
    if (entry.size() < kChoicesAt + 2 || entry.substr(0, kIdAt) != kOpen ||
        entry.substr(kIdAt + 32, kChoices.size()) != kChoices)
        return std::nullopt;
    const auto id = decoded ? *decoded : BallotIndex::hex_id(entry.substr(kIdAt, 32));
    if (!id) return std::nullopt;
    const char* data = entry.data();
    const std::size_t size = entry.size();
    std::size_t at = kChoicesAt;
    approvals_.clear();
    if (data[at] != ']') {
        while (true) {
            if (at >= size || data[at] != '"') return std::nullopt;
            const void* quote = std::memchr(data + at + 1, '"', size - at - 1);
            if (!quote) return std::nullopt;
            const std::size_t end =
                static_cast<std::size_t>(static_cast<const char*>(quote) - data);
            const std::size_t p = position(entry.substr(at + 1, end - at - 1));
            if (p == ids_.size() || !plain_[p]) return std::nullopt;
            if (!approvals_.empty() && rank_[p] <= rank_[approvals_.back()]) return std::nullopt;
            approvals_.push_back(p);
            at = end + 1;
            if (at < size && data[at] == ',') {
                ++at;
                continue;
            }
            break;
        }
    }
    if (at + 2 != size || data[at] != ']' || data[at + 1] != '}') return std::nullopt;
    if (!index_.insert(*id, index))
        return TallyProblem{TallyError::duplicate_ballot_id, index,
                            std::string(entry.substr(kIdAt, 32))};
    for (const auto p : approvals_) ++votes_[p];
    ballots_.emplace_back(approvals_.begin(), approvals_.end());
    return boost::system::result<void, TallyProblem>();
}

boost::system::result<void, TallyProblem> TallyBuilder::count(
    std::string_view canonical_ballot, std::uint64_t index,
    const std::optional<BallotIndex::HexId>* decoded) {
    if (auto usual = count_usual(canonical_ballot, index, decoded)) return std::move(*usual);
    std::string_view id;
    std::optional<StoredBallot> unusual;  // a ballot with escapes or non-ASCII text
    if (!parse_plain_ballot(canonical_ballot, id, choices_)) {
        auto parsed = parse_canonical_ballot(canonical_ballot);
        if (!parsed) return TallyProblem{TallyError::not_canonical, index, ""};
        unusual.emplace(std::move(*parsed));
        id = unusual->ballot_id;
        choices_.assign(unusual->choices.begin(), unusual->choices.end());
    }
    ApprovalBallot approvals;
    approvals.reserve(choices_.size());
    for (const auto choice : choices_) {
        const std::size_t p = position(choice);
        if (p == ids_.size())
            return TallyProblem{TallyError::unknown_initiative, index, std::string(choice)};
        approvals.push_back(p);
    }
    if (!index_.insert(id, index))
        return TallyProblem{TallyError::duplicate_ballot_id, index, std::string(id)};
    for (const auto p : approvals) ++votes_[p];
    ballots_.push_back(std::move(approvals));
    return {};
}

boost::system::result<void, TallyProblem> TallyBuilder::add(std::string_view canonical_ballot) {
    if (auto counted = count(canonical_ballot, tree_.size()); !counted) return counted;
    tree_.append(leaf_hash(canonical_ballot));
    return {};
}

boost::system::result<void, TallyProblem> TallyBuilder::add_page(
    std::span<const std::string> entries) {
    const std::uint64_t start = tree_.size();
    const std::size_t n = entries.size();
    page_leaves_.resize(n);
    std::size_t counted = n;
    std::optional<TallyProblem> problem;
    // Hashing needs only the bytes, counting needs the order (the first of two equal ids is the
    // counted one): helper threads hash chunks of the page while this one counts it in order,
    // then helps them finish. A page with a problem is hashed whole: only the leaves before it
    // are kept.
    constexpr std::size_t kChunk = 256;
    // How many entries ahead the ballot id's slot in the index is fetched; the ids decoded for
    // it are kept for the count, in a ring.
    constexpr std::size_t kAhead = 12;
    constexpr std::size_t kRing = 16;
    std::array<std::optional<BallotIndex::HexId>, kRing> ahead;
    const auto prefetch_slot = [this](std::string_view entry,
                                      std::optional<BallotIndex::HexId>& id) {
        // Where a canonical ballot from budgetd has its id; anything else goes unfetched (and
        // count_usual, which checks the same, leaves it to the full parser).
        constexpr std::size_t kIdAt = sizeof(R"({"ballot_id":")") - 1;
        id =
            entry.size() > kIdAt + 32 ? BallotIndex::hex_id(entry.substr(kIdAt, 32)) : std::nullopt;
        // The prefetch is issued here: GCC sees no effect in a function that only prefetches,
        // and drops the calls to it.
        if (const void* slot = id ? index_.first_slot(*id) : nullptr) __builtin_prefetch(slot);
    };
    std::atomic<std::size_t> next{0};
    const auto hash_chunks = [&] {
        for (std::size_t begin; (begin = next.fetch_add(kChunk)) < n;) {
            const std::size_t end = std::min(n, begin + kChunk);
            for (std::size_t i = begin; i < end; ++i) page_leaves_[i] = leaf_hash(entries[i]);
        }
    };
    {
        std::vector<std::jthread> helpers;
        try {
            if (threads_ > 1 && n >= 2 * kChunk) {
                for (unsigned t = 1; t < threads_; ++t) helpers.emplace_back(hash_chunks);
            }
        } catch (const std::system_error&) {
            // No thread to be had (a process limit): this one hashes what is left.
        }
        for (std::size_t i = 0; i < n; ++i) {
            if (i + kAhead < n) prefetch_slot(entries[i + kAhead], ahead[(i + kAhead) % kRing]);
            const auto* decoded = i >= kAhead ? &ahead[i % kRing] : nullptr;
            if (auto added = count(entries[i], start + i, decoded); !added) {
                problem.emplace(std::move(added.error()));
                counted = i;
                break;
            }
        }
        hash_chunks();
    }  // the helpers join here
    tree_.append(std::span<const Hash>(page_leaves_.data(), counted), threads_);
    if (problem) return std::move(*problem);
    return {};
}

}  // namespace budget::voting
