#pragma once
// A hash index from byte strings to numbers, for the pabulib reader and the equal-shares set-up:
// open addressing over views the caller keeps alive, so that indexing tens of thousands of voter
// ids or ballots costs no allocation per entry (a node-based std::unordered_map spends most of
// its time in malloc there). Internal to voting.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <utility>
#include <vector>

namespace budget::voting::detail {

class ViewIndex {
  public:
    /// Room for `expected` keys before the first growth.
    explicit ViewIndex(std::size_t expected = 0) { rehash(capacity_for(expected)); }

    /// The number of `key` and false when it is already indexed; otherwise indexes it with
    /// `value` and returns (value, true). The bytes `key` views must outlive the index.
    std::pair<std::uint32_t, bool> try_emplace(std::string_view key, std::uint32_t value) {
        if ((keys_.size() + 1) * 2 > slots_.size()) rehash(slots_.size() * 2);
        const std::size_t hash = std::hash<std::string_view>{}(key);
        const auto tag = static_cast<std::uint32_t>(static_cast<std::uint64_t>(hash) >> 32);
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
            Slot& slot = slots_[i];
            if (slot.entry == 0) {
                keys_.push_back(key);
                values_.push_back(value);
                slot = Slot{tag, static_cast<std::uint32_t>(keys_.size())};
                return {value, true};
            }
            if (slot.tag == tag && keys_[slot.entry - 1] == key) {
                return {values_[slot.entry - 1], false};
            }
        }
    }

    /// Room for `expected` keys in all.
    void reserve(std::size_t expected) {
        if (capacity_for(expected) > slots_.size()) rehash(capacity_for(expected));
    }

    std::size_t size() const { return keys_.size(); }

  private:
    // Eight bytes a slot, so that the table of a large election stays in the cache: part of
    // the hash, to skip most comparisons, and the entry's place in keys_ plus one (0: free).
    struct Slot {
        std::uint32_t tag = 0;
        std::uint32_t entry = 0;
    };

    static std::size_t capacity_for(std::size_t expected) {
        std::size_t capacity = 16;
        while (capacity < expected * 2) capacity *= 2;
        return capacity;
    }

    void rehash(std::size_t capacity) {
        slots_.assign(capacity, Slot{});
        keys_.reserve(capacity / 2);
        values_.reserve(capacity / 2);
        const std::size_t mask = capacity - 1;
        for (std::size_t e = 0; e < keys_.size(); ++e) {
            const std::size_t hash = std::hash<std::string_view>{}(keys_[e]);
            std::size_t i = hash & mask;
            while (slots_[i].entry != 0) i = (i + 1) & mask;
            slots_[i] = Slot{static_cast<std::uint32_t>(static_cast<std::uint64_t>(hash) >> 32),
                             static_cast<std::uint32_t>(e + 1)};
        }
    }

    std::vector<Slot> slots_;
    std::vector<std::string_view> keys_;
    std::vector<std::uint32_t> values_;
};

}  // namespace budget::voting::detail
