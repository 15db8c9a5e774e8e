#include "voting/merkle.hpp"

// OpenSSL's low-level SHA256_* calls are deprecated in favour of EVP, whose per-call dispatch
// costs as much as hashing a ballot's two blocks with the CPU's SHA instructions (sha_ni), which
// both paths use. The tally hashes two messages per ballot: the direct calls halve its cost.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <thread>
#include <utility>

#include "voting/parallel.hpp"

namespace budget::voting {
namespace {

constexpr std::uint8_t kLeafPrefix = 0x00;
constexpr std::uint8_t kNodePrefix = 0x01;

// Largest power of two strictly smaller than n (n >= 2): the RFC's split point.
std::uint64_t split_point(std::uint64_t n) { return std::bit_floor(n - 1); }

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string to_hex(const Hash& hash) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out(hash.size() * 2, '\0');
    for (std::size_t i = 0; i < hash.size(); ++i) {
        out[2 * i] = kDigits[hash[i] >> 4];
        out[2 * i + 1] = kDigits[hash[i] & 0x0f];
    }
    return out;
}

std::optional<Hash> hash_from_hex(std::string_view hex) {
    Hash hash{};
    if (hex.size() != hash.size() * 2) return std::nullopt;
    for (std::size_t i = 0; i < hash.size(); ++i) {
        const int high = hex_digit(hex[2 * i]);
        const int low = hex_digit(hex[2 * i + 1]);
        if (high < 0 || low < 0) return std::nullopt;
        hash[i] = static_cast<std::uint8_t>((high << 4) | low);
    }
    return hash;
}

Hash leaf_hash(std::span<const std::uint8_t> bytes) {
    SHA256_CTX state;
    SHA256_Init(&state);
    SHA256_Update(&state, &kLeafPrefix, 1);
    SHA256_Update(&state, bytes.data(), bytes.size());
    Hash out;
    SHA256_Final(out.data(), &state);
    return out;
}

Hash leaf_hash(std::string_view bytes) {
    return leaf_hash(std::span<const std::uint8_t>(
        reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

Hash node_hash(const Hash& left, const Hash& right) {
    std::uint8_t message[1 + 2 * sizeof(Hash)];
    message[0] = kNodePrefix;
    std::memcpy(message + 1, left.data(), left.size());
    std::memcpy(message + 1 + left.size(), right.data(), right.size());
    SHA256_CTX state;
    SHA256_Init(&state);
    SHA256_Update(&state, message, sizeof message);
    Hash out;
    SHA256_Final(out.data(), &state);
    return out;
}

Hash empty_root() {
    SHA256_CTX state;
    SHA256_Init(&state);
    Hash out;
    SHA256_Final(out.data(), &state);
    return out;
}

unsigned default_hash_threads() { return std::clamp(std::thread::hardware_concurrency(), 1u, 4u); }

Hash root_from_leaf_hashes(std::span<const Hash> leaf_hashes) {
    if (leaf_hashes.empty()) return empty_root();
    // A binary counter of complete subtrees: merging equal sizes as leaves arrive, then folding
    // the leftovers from the right, yields exactly the RFC's left-heavy shape without recursion.
    std::vector<std::pair<Hash, std::uint64_t>> stack;
    for (const Hash& leaf : leaf_hashes) {
        stack.emplace_back(leaf, 1);
        while (stack.size() >= 2 &&
               stack[stack.size() - 1].second == stack[stack.size() - 2].second) {
            auto right = stack.back();
            stack.pop_back();
            stack.back().first = node_hash(stack.back().first, right.first);
            stack.back().second += right.second;
        }
    }
    Hash root = stack.back().first;
    for (std::size_t i = stack.size() - 1; i-- > 0;) root = node_hash(stack[i].first, root);
    return root;
}

bool verify_inclusion(const Hash& leaf, std::uint64_t index, std::uint64_t size,
                      std::span<const Hash> audit_path, const Hash& root) {
    if (index >= size) return false;
    std::uint64_t fn = index;
    std::uint64_t sn = size - 1;
    Hash r = leaf;
    for (const Hash& p : audit_path) {
        if (sn == 0) return false;
        if ((fn & 1) != 0 || fn == sn) {
            r = node_hash(p, r);
            while ((fn & 1) == 0 && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            r = node_hash(r, p);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && r == root;
}

bool verify_consistency(std::uint64_t size_m, std::uint64_t size_n, const Hash& root_m,
                        const Hash& root_n, std::span<const Hash> proof) {
    if (size_m > size_n) return false;
    if (size_m == size_n) return proof.empty() && root_m == root_n;
    if (size_m == 0) return proof.empty() && root_m == empty_root();
    if (proof.empty()) return false;

    // When size_m is a power of two its root is a node of the larger tree and the proof omits it.
    std::vector<Hash> path;
    path.reserve(proof.size() + 1);
    if (std::has_single_bit(size_m)) path.push_back(root_m);
    path.insert(path.end(), proof.begin(), proof.end());

    std::uint64_t fn = size_m - 1;
    std::uint64_t sn = size_n - 1;
    while ((fn & 1) != 0) {
        fn >>= 1;
        sn >>= 1;
    }
    Hash fr = path[0];
    Hash sr = path[0];
    for (std::size_t i = 1; i < path.size(); ++i) {
        const Hash& c = path[i];
        if (sn == 0) return false;
        if ((fn & 1) != 0 || fn == sn) {
            fr = node_hash(c, fr);
            sr = node_hash(c, sr);
            while ((fn & 1) == 0 && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            sr = node_hash(sr, c);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && fr == root_m && sr == root_n;
}

MerkleTree::MerkleTree(std::span<const Hash> leaf_hashes, unsigned threads) {
    append(leaf_hashes, threads);
}

void MerkleTree::append(const Hash& leaf) {
    leaves_.push_back(leaf);
    complete_levels(leaves_.size() - 1, 1);
}

void MerkleTree::append(std::span<const Hash> leaves, unsigned threads) {
    const std::uint64_t old_size = leaves_.size();
    leaves_.insert(leaves_.end(), leaves.begin(), leaves.end());
    complete_levels(old_size, threads);
}

void MerkleTree::complete_levels(std::uint64_t old_size, unsigned threads) {
    // The first stored level: each new complete group of 2^kFirstStoredLevel leaves is hashed
    // from its leaves, the groups independently of each other.
    constexpr std::uint64_t kGroup = std::uint64_t{1} << kFirstStoredLevel;
    std::uint64_t from = old_size / kGroup;
    std::uint64_t to = leaves_.size() / kGroup;
    if (to == from) return;
    if (stored_.empty()) stored_.emplace_back();
    stored_[0].resize(to);
    // A group is 7 hashes, a pair 1: parts of similar cost.
    parallel_for(to - from, threads, 128, [&](std::uint64_t begin, std::uint64_t end) {
        for (std::uint64_t g = from + begin; g < from + end; ++g) {
            stored_[0][g] = node_hash(subtree(kFirstStoredLevel - 1, 2 * g),
                                      subtree(kFirstStoredLevel - 1, 2 * g + 1));
        }
    });
    // Each level above: the new pairs of the level below.
    for (std::size_t j = 0; stored_[j].size() / 2 > from / 2; ++j) {
        from /= 2;
        to = stored_[j].size() / 2;
        if (stored_.size() == j + 1) stored_.emplace_back();
        std::deque<Hash>& above = stored_[j + 1];
        const std::deque<Hash>& below = stored_[j];
        above.resize(to);
        parallel_for(to - from, threads, 1024, [&](std::uint64_t begin, std::uint64_t end) {
            for (std::uint64_t i = from + begin; i < from + end; ++i) {
                above[i] = node_hash(below[2 * i], below[2 * i + 1]);
            }
        });
    }
}

Hash MerkleTree::subtree(int level, std::uint64_t index) const {
    if (level == 0) return leaves_[index];
    if (level >= kFirstStoredLevel) {
        return stored_[static_cast<std::size_t>(level - kFirstStoredLevel)][index];
    }
    return node_hash(subtree(level - 1, 2 * index), subtree(level - 1, 2 * index + 1));
}

std::optional<Hash> MerkleTree::root_of_prefix(std::uint64_t tree_size) const {
    if (tree_size > size()) return std::nullopt;
    return root_at(tree_size);
}

Hash MerkleTree::root_at(std::uint64_t tree_size) const {
    if (tree_size == 0) return empty_root();
    return range_hash(0, tree_size);
}

Hash MerkleTree::range_hash(std::uint64_t begin, std::uint64_t end) const {
    // The range splits into complete subtrees of decreasing sizes (the set bits of its length);
    // the RFC tree over it nests them to the right.
    std::array<Hash, 64> chunks;
    std::size_t count = 0;
    std::uint64_t offset = begin;
    const std::uint64_t length = end - begin;
    for (int k = 63; k >= 0; --k) {
        const std::uint64_t chunk = std::uint64_t{1} << k;
        if ((length & chunk) == 0) continue;
        chunks[count++] = subtree(k, offset >> k);
        offset += chunk;
    }
    Hash hash = chunks[count - 1];
    for (std::size_t i = count - 1; i-- > 0;) hash = node_hash(chunks[i], hash);
    return hash;
}

std::optional<std::vector<Hash>> MerkleTree::inclusion_proof(std::uint64_t index,
                                                             std::uint64_t tree_size) const {
    if (index >= tree_size || tree_size > size()) return std::nullopt;
    std::vector<Hash> path;
    std::uint64_t begin = 0;
    std::uint64_t end = tree_size;
    // Walk from the root down to the leaf; the RFC lists siblings from the leaf up.
    while (end - begin > 1) {
        const std::uint64_t split = begin + split_point(end - begin);
        if (index < split) {
            path.push_back(range_hash(split, end));
            end = split;
        } else {
            path.push_back(range_hash(begin, split));
            begin = split;
        }
    }
    std::reverse(path.begin(), path.end());
    return path;
}

std::optional<std::vector<Hash>> MerkleTree::consistency_proof(std::uint64_t size_m,
                                                               std::uint64_t size_n) const {
    if (size_m > size_n || size_n > size()) return std::nullopt;
    std::vector<Hash> proof;
    if (size_m == 0 || size_m == size_n) return proof;
    std::uint64_t begin = 0;
    std::uint64_t end = size_n;
    std::uint64_t m = size_m;  // relative to begin
    // False once the old tree's root is no longer a node the verifier holds (it gets split).
    bool whole_old_root = true;
    while (true) {
        const std::uint64_t length = end - begin;
        if (m == length) {
            if (!whole_old_root) proof.push_back(range_hash(begin, end));
            break;
        }
        const std::uint64_t k = split_point(length);
        if (m <= k) {
            proof.push_back(range_hash(begin + k, end));
            end = begin + k;
        } else {
            proof.push_back(range_hash(begin, begin + k));
            begin += k;
            m -= k;
            whole_old_root = false;
        }
    }
    std::reverse(proof.begin(), proof.end());
    return proof;
}

}  // namespace budget::voting
